// gloo::Context as far as ProcessGroupGloo.hpp names it (see README.md).
#pragma once
#include <chrono>

namespace gloo {

class Context {
 public:
  void setTimeout(std::chrono::milliseconds timeout);
};

}  // namespace gloo
