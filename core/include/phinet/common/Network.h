#pragma once
/// Small networking helpers shared by the launcher and the distributed tests. Torch-free.

namespace phinet {

/// A TCP port the kernel says is free on 127.0.0.1 now (bound to port 0, read back, closed). Whoever
/// uses it binds it a moment later, so another process could take it in between. Throws
/// std::runtime_error when no socket can be opened or bound.
int freeLoopbackPort();

} // namespace phinet
