// A core file that includes a loop header: cmake/check_layering.cmake must refuse it (tests/CMakeLists.txt).
#include "retrain/loop/run_dir.hpp"
