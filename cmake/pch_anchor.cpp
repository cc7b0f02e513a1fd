// The one source of retrain_pch, the target that builds the shared precompiled header
// (include/retrain/core/pch.hpp) which every other C++ target reuses.
