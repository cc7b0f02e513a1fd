// A loop file that includes a core header: allowed, so the check names only core/climbs.cpp.
#include "retrain/core/options.hpp"
