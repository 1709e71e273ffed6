#include "LaunchCommand.h"

#include "phinet/common/Network.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>

namespace phinet::cli {
namespace {
using Clock = std::chrono::steady_clock;

int exitStatus(int status)
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

} // namespace

void LaunchArgs::add(CLI::App* app)
{
    app->add_option("--nproc", nproc, "ranks to start on this machine")->capture_default_str();
    app->add_option("--nnodes", nnodes, "machines in the job (each runs phinet launch)")->capture_default_str();
    app->add_option("--node-rank", nodeRank, "this machine's index, 0 .. nnodes-1")->capture_default_str();
    app->add_option("--master-addr", masterAddr, "address of the machine that runs rank 0")->capture_default_str();
    app->add_option("--master-port", masterPort, "rendezvous port (0: a free one; give one with --nnodes > 1)")
        ->capture_default_str();
    app->add_option("--grace", grace, "seconds the other ranks get to stop by themselves after one fails")
        ->capture_default_str();
    app->add_option("command", command, "the rank's command line, after --: phinet train --distributed ...")
        ->required();
    app->footer(
        "Example: phinet launch --nproc 2 -- phinet train --distributed --dataset mnist --epochs 1 --threads 1\n"
        "Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT.");
}

int runLaunch(const LaunchArgs& a)
{
    if (a.nproc < 1 || a.nproc > 256) throw UsageError("--nproc: must be in [1, 256]");
    if (a.nnodes < 1 || a.nnodes > 4096) throw UsageError("--nnodes: must be in [1, 4096]");
    if (a.nodeRank < 0 || a.nodeRank >= a.nnodes) throw UsageError("--node-rank: must be in [0, --nnodes)");
    if (a.masterPort < 0 || a.masterPort > 65535) throw UsageError("--master-port: must be in [0, 65535]");
    if (a.nnodes > 1 && a.masterPort == 0) throw UsageError("--master-port: give the same port on every node");
    if (a.grace < 0 || a.grace > 3600) throw UsageError("--grace: must be in [0, 3600] seconds");
    if (a.command.empty()) throw UsageError("command: give the rank's command after --");
    const int port = a.masterPort ? a.masterPort : freeLoopbackPort();
    const int world = a.nnodes * a.nproc;

    // phinet itself is started from this very binary, wherever the shell would have found one.
    std::string program = a.command[0];
    if (program == "phinet") {
        char self[4096];
        const auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0) program.assign(self, size_t(n));
    }

    // Signals are taken synchronously: blocked here, forwarded to the ranks from the loop below.
    sigset_t handled, previous;
    sigemptyset(&handled);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD})
        sigaddset(&handled, s);
    sigprocmask(SIG_BLOCK, &handled, &previous);

    std::vector<pid_t> pids(size_t(a.nproc), -1);
    std::vector<std::optional<int>> codes(size_t(a.nproc));
    for (int local = 0; local < a.nproc; ++local) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::cerr << "phinet launch: cannot start rank " << local << ": " << std::strerror(errno) << std::endl;
            for (pid_t p : pids)
                if (p > 0) ::kill(p, SIGTERM);
            break;
        }
        if (pid == 0) {
            // Own process group: a terminal's Ctrl-C reaches the ranks once, through the launcher.
            ::setpgid(0, 0);
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            const int rank = a.nodeRank * a.nproc + local;
            ::setenv("RANK", std::to_string(rank).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(local).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
            ::setenv("LOCAL_WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
            ::setenv("GROUP_RANK", std::to_string(a.nodeRank).c_str(), 1);
            ::setenv("MASTER_ADDR", a.masterAddr.c_str(), 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(program.c_str()));
            for (size_t i = 1; i < a.command.size(); ++i)
                argv.push_back(const_cast<char*>(a.command[i].c_str()));
            argv.push_back(nullptr);
            ::execvp(argv[0], argv.data());
            std::fprintf(stderr, "phinet launch: cannot run \"%s\": %s\n", argv[0], std::strerror(errno));
            ::_exit(127);
        }
        pids[size_t(local)] = pid;
    }

    std::optional<int> firstFailure;
    std::optional<Clock::time_point> stopAt, killAt;
    const auto alive = [&] {
        int n = 0;
        for (size_t i = 0; i < pids.size(); ++i)
            n += pids[i] > 0 && !codes[i];
        return n;
    };
    const auto signalAll = [&](int sig) {
        for (size_t i = 0; i < pids.size(); ++i)
            if (pids[i] > 0 && !codes[i]) ::kill(pids[i], sig);
    };
    while (alive() > 0) {
        timespec wait{0, 200 * 1000 * 1000};
        siginfo_t info;
        const int sig = ::sigtimedwait(&handled, &info, &wait);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) signalAll(sig);
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            for (size_t i = 0; i < pids.size(); ++i) {
                if (pids[i] != pid) continue;
                const int code = exitStatus(status);
                codes[i] = code;
                if (code != 0 && !firstFailure) {
                    firstFailure = code;
                    if (alive() > 0) {
                        std::cerr << "phinet launch: local rank " << i << " exited with status " << code
                                  << "; the others get " << a.grace << " s to stop" << std::endl;
                        stopAt = Clock::now() + std::chrono::seconds(a.grace);
                    }
                }
            }
        }
        const auto now = Clock::now();
        if (stopAt && now >= *stopAt) {
            std::cerr << "phinet launch: stopping the remaining ranks (SIGTERM)" << std::endl;
            signalAll(SIGTERM);
            stopAt.reset();
            killAt = now + std::chrono::seconds(10);
        }
        if (killAt && now >= *killAt) {
            signalAll(SIGKILL);
            killAt.reset();
        }
    }
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return firstFailure.value_or(0);
}

} // namespace phinet::cli
