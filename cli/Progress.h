#pragma once
// Terminal progress for long CLI jobs: a redrawn bar on a terminal, plain lines otherwise.

#include "phinet/common/Cancel.h"
#include "phinet/train/TrainConfig.h"

#include <string>

namespace phinet::cli {

/// Draws "label [#####.....] 52% detail" on stderr (redrawn in place on a terminal).
class ProgressBar {
public:
    ProgressBar();
    ~ProgressBar();
    void update(const std::string& label, double fraction, const std::string& detail);
    /// On a terminal: update(). Otherwise (a log, CI): a plain line each time the fraction passes a
    /// tenth, or the label changes.
    void report(const std::string& label, double fraction, const std::string& detail);
    /// report() of a training batch: "<prefix>epoch E/N", the batch fraction, loss, img/s and ETA.
    void reportBatch(const std::string& prefix, const BatchProgress& p);
    /// Ends the bar's line (before printing anything else).
    void finish();
    /// Prints a line above the bar.
    void line(const std::string& text);
    bool interactive() const { return tty_; }

private:
    bool tty_ = false;
    bool drawn_ = false;
    std::string lastLabel_;
    int lastDecile_ = -1;
};

/// Formats seconds as "1h02m", "3m12s" or "42s".
std::string formatDuration(double seconds);

/// The token that Ctrl-C (SIGINT/SIGTERM) sets; a second Ctrl-C kills the process as usual.
CancelToken& interruptToken();
void installInterruptHandler();

} // namespace phinet::cli
