// Empty: ProcessGroupGloo.hpp includes it but names nothing from it (see README.md).
#pragma once
