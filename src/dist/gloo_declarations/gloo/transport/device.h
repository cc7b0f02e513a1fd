// The transport types ProcessGroupGloo.hpp holds through pointers only (see README.md).
#pragma once

namespace gloo::transport {

class Device;
class UnboundBuffer;

}  // namespace gloo::transport
