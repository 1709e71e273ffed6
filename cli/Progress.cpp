#include "Progress.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace phinet::cli {

ProgressBar::ProgressBar() : tty_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar()
{
    finish();
}

void ProgressBar::update(const std::string& label, double fraction, const std::string& detail)
{
    if (!tty_) return; // plain output gets the per-epoch lines only
    const int width = 30;
    const int filled = int(std::clamp(fraction, 0.0, 1.0) * width + 0.5);
    std::string bar(size_t(filled), '#');
    bar.append(size_t(width - filled), '.');
    std::fprintf(stderr, "\r\033[K%s [%s] %3d%% %s", label.c_str(), bar.c_str(), int(fraction * 100 + 0.5),
                 detail.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::reportBatch(const std::string& prefix, const BatchProgress& p)
{
    char detail[160];
    std::snprintf(detail, sizeof detail, "batch %lld/%lld loss %.4f %.0f img/s ETA %s", (long long)p.batch,
                  (long long)p.batchesPerEpoch, p.loss, p.imagesPerSecond, formatDuration(p.etaSeconds).c_str());
    report(prefix + "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs),
           double(p.batch) / double(p.batchesPerEpoch), detail);
}

void ProgressBar::report(const std::string& label, double fraction, const std::string& detail)
{
    if (tty_) {
        update(label, fraction, detail);
        return;
    }
    const int decile = int(fraction * 10);
    if (label == lastLabel_ && decile <= lastDecile_) return;
    lastLabel_ = label;
    lastDecile_ = decile;
    line(label + ": " + std::to_string(int(fraction * 100)) + "% " + detail);
}

void ProgressBar::finish()
{
    if (drawn_) {
        std::fprintf(stderr, "\n");
        drawn_ = false;
    }
}

void ProgressBar::line(const std::string& text)
{
    if (drawn_ && tty_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s\n", text.c_str());
    drawn_ = false;
}

std::string formatDuration(double s)
{
    char buf[32];
    const long t = long(s + 0.5);
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
    else if (t >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", t);
    return buf;
}

CancelToken& interruptToken()
{
    static CancelToken token;
    return token;
}

namespace {
extern "C" void onInterrupt(int sig)
{
    interruptToken().cancel();
    std::signal(sig, SIG_DFL); // a second Ctrl-C ends the process at once
}
} // namespace

void installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

} // namespace phinet::cli
