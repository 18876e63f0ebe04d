// A TCP port for a server the test starts as another process, which binds it itself.
#pragma once

#include <cstdint>

namespace pse::testing {

/// A port that 127.0.0.1 can bind now, chosen at random below the kernel's ephemeral range.
///
/// Binding port 0 and closing the socket returns a port in the ephemeral range, which any
/// outgoing connection of a concurrent test may take before the child server binds it (a
/// connected socket blocks the bind even with SO_REUSEADDR). Ports below the range are never
/// handed out by the kernel, so only another test picking the same number can collide.
std::uint16_t port_for_child_server();

}  // namespace pse::testing
