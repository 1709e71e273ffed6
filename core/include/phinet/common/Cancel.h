#pragma once
/// Cooperative cancellation for long core jobs. Torch-free.

#include "phinet/common/Error.h"

#include <atomic>

namespace phinet {

/// Set from any thread (GUI Cancel button, SIGINT handler); long jobs check it at least once per
/// batch and then return what they finished (or throw Cancelled where they have nothing to return).
class CancelToken {
public:
    void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
    void reset() noexcept { flag_.store(false, std::memory_order_relaxed); }
    bool cancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
    void throwIfCancelled() const
    {
        if (cancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> flag_{false};
};

/// True when `token` is set; a null token never cancels.
inline bool isCancelled(const CancelToken* token)
{
    return token && token->cancelled();
}

} // namespace phinet
