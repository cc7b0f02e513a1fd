# Locates LibTorch inside the project venv's PyPI `torch` wheel and decides whether CUDA is built.
#
# Inputs : RETRAIN_PYTHON (default .venv/bin/python), RETRAIN_CUDA (AUTO|ON|OFF),
#          RETRAIN_CUDA_ARCHS (CMake architecture list for our own kernels, default 80;90).
# Outputs: target `retrain::torch`, RETRAIN_WITH_CUDA (ON/OFF), RETRAIN_TORCH_VERSION,
#          RETRAIN_TORCH_CUDA_VERSION, RETRAIN_TORCH_LIB_DIR.
#
# Known pitfalls of find_package(Torch) from the wheel, and what we do about each:
#  1. Architectures: Caffe2's public/cuda.cmake sets CMAKE_CUDA_ARCHITECTURES to OFF and derives
#     -gencode flags from TORCH_CUDA_ARCH_LIST (or from probing a GPU, which fails on a build host
#     without one and falls back to a long list). We pin TORCH_CUDA_ARCH_LIST from RETRAIN_CUDA_ARCHS
#     before the call and restore CMAKE_CUDA_ARCHITECTURES afterwards; our targets set
#     CUDA_ARCHITECTURES themselves, so the flags Torch appends to the legacy CUDA_NVCC_FLAGS are unused.
#  2. NVTX: CUDA 12.9+ ships NVTX only as the header-only nvtx3; older Torch configs link the removed
#     CUDA::nvToolsExt. We define CUDA::nvToolsExt ourselves before FindCUDAToolkit and point it at
#     CUDA::nvtx3, so both old and new Torch configs resolve. Our kernels use CUDA::nvtx3.
#  3. cuDNN: the config only searches cuDNN when CAFFE2_USE_CUDNN is set, and then needs
#     CUDNN_INCLUDE_PATH/CUDNN_LIBRARY_PATH or it silently disables it. We never call cuDNN directly:
#     libtorch_cuda.so loads the wheel's own nvidia-cudnn through its RPATH, so we leave it unset and
#     do not depend on a torch::cudnn target that may not exist.
#  5. The wheel ships its own {fmt} (12.x) in torch/include/fmt, which shadows Debian's fmt 9 that
#     spdlog 1.10 is built against (compile errors such as "basic_runtime is not a member of fmt", or
#     worse, silent ODR mismatches). We expose torch/include through a shadow directory of symlinks
#     that leaves out fmt/, and put it on every Torch target instead of the original path.
#  6. libtorch.so exports copies of libstdc++ functions it linked statically (std::filesystem,
#     std::chrono::tzdb, ...). Listed before libstdc++.so.6 in DT_NEEDED, they interpose on ours and
#     std::filesystem::remove_all jumps to a null pointer. We put libstdc++.so.6 first in DT_NEEDED.
#  4. A CUDA-enabled wheel makes find_package(Torch) require the CUDA toolkit even for a CPU build:
#     with RETRAIN_CUDA=OFF and no toolkit, we build against the CPU libraries directly instead.

set(RETRAIN_PYTHON "${PROJECT_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH "Python with the torch wheel")
set(RETRAIN_CUDA "AUTO" CACHE STRING "Build CUDA kernels: AUTO, ON or OFF")
set_property(CACHE RETRAIN_CUDA PROPERTY STRINGS AUTO ON OFF)
set(RETRAIN_CUDA_ARCHS "80;90" CACHE STRING "CUDA architectures for retrain's kernels")

if(NOT EXISTS "${RETRAIN_PYTHON}")
  message(FATAL_ERROR "retrain: no Python at '${RETRAIN_PYTHON}'. Run scripts/setup.sh (it creates .venv "
                      "with torch) or pass -DRETRAIN_PYTHON=/path/to/python with torch installed.")
endif()
execute_process(
  COMMAND "${RETRAIN_PYTHON}" -c
    "import torch, os; print(os.path.dirname(torch.__file__)); print(torch.__version__); print(torch.version.cuda or ''); print(int(torch._C._GLIBCXX_USE_CXX11_ABI))"
  OUTPUT_VARIABLE _torch_info RESULT_VARIABLE _torch_rc ERROR_VARIABLE _torch_err
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _torch_rc EQUAL 0)
  message(FATAL_ERROR "retrain: '${RETRAIN_PYTHON}' cannot import torch:\n${_torch_err}")
endif()
string(REPLACE "\n" ";" _torch_info "${_torch_info}")
list(GET _torch_info 0 _torch_dir)
list(GET _torch_info 1 RETRAIN_TORCH_VERSION)
list(GET _torch_info 2 RETRAIN_TORCH_CUDA_VERSION)
list(GET _torch_info 3 _torch_cxx11_abi)
set(RETRAIN_TORCH_LIB_DIR "${_torch_dir}/lib")

# Pitfall 5: a view of torch/include without its bundled fmt.
set(_shadow "${PROJECT_BINARY_DIR}/torch_include")
file(REMOVE_RECURSE "${_shadow}")
file(MAKE_DIRECTORY "${_shadow}")
file(GLOB _entries RELATIVE "${_torch_dir}/include" "${_torch_dir}/include/*")
foreach(_entry IN LISTS _entries)
  if(NOT _entry STREQUAL "fmt")
    file(CREATE_LINK "${_torch_dir}/include/${_entry}" "${_shadow}/${_entry}" SYMBOLIC)
  endif()
endforeach()
set(RETRAIN_TORCH_INCLUDE_DIRS "${_shadow}" "${_shadow}/torch/csrc/api/include")

# Decide CUDA.
include(CheckLanguage)
check_language(CUDA)
set(RETRAIN_WITH_CUDA OFF)
if(RETRAIN_CUDA STREQUAL "ON" OR RETRAIN_CUDA STREQUAL "AUTO")
  if(CMAKE_CUDA_COMPILER AND RETRAIN_TORCH_CUDA_VERSION)
    set(RETRAIN_WITH_CUDA ON)
  elseif(RETRAIN_CUDA STREQUAL "ON")
    message(FATAL_ERROR "retrain: RETRAIN_CUDA=ON but nvcc='${CMAKE_CUDA_COMPILER}' and torch CUDA "
                        "version='${RETRAIN_TORCH_CUDA_VERSION}' (both are needed).")
  endif()
elseif(NOT RETRAIN_CUDA STREQUAL "OFF")
  message(FATAL_ERROR "retrain: RETRAIN_CUDA='${RETRAIN_CUDA}'; expected AUTO, ON or OFF")
endif()

if(RETRAIN_TORCH_CUDA_VERSION AND CMAKE_CUDA_COMPILER)
  # Pitfalls 1 and 2 (see the header).
  set(CMAKE_CUDA_ARCHITECTURES "${RETRAIN_CUDA_ARCHS}")
  set(_saved_cuda_archs "${CMAKE_CUDA_ARCHITECTURES}")
  string(REGEX REPLACE "([0-9]+)([0-9])" "\\1.\\2" _torch_arch_list "${RETRAIN_CUDA_ARCHS}")  # 80;90 -> 8.0;9.0
  set(TORCH_CUDA_ARCH_LIST "${_torch_arch_list}")
  enable_language(CUDA)
  # Made before FindCUDAToolkit, which then neither looks for the removed library nor (in Debian's
  # CMake 3.25.1, without a TARGET check) sets a property on a target it did not make.
  add_library(CUDA::nvToolsExt INTERFACE IMPORTED)
  find_package(CUDAToolkit REQUIRED)
  target_link_libraries(CUDA::nvToolsExt INTERFACE CUDA::nvtx3)
  unset(CMAKE_CUDA_ARCHITECTURES)  # else Torch warns, then forces it OFF
  find_package(Torch REQUIRED CONFIG PATHS "${_torch_dir}/share/cmake/Torch" NO_DEFAULT_PATH)
  set(CMAKE_CUDA_ARCHITECTURES "${_saved_cuda_archs}")
  foreach(_t torch torch_library torch_cpu torch_cpu_library torch_cuda torch_cuda_library c10 c10_cuda)
    if(TARGET ${_t})
      set_property(TARGET ${_t} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "")
    endif()
  endforeach()
  add_library(retrain_torch INTERFACE)
  target_include_directories(retrain_torch SYSTEM INTERFACE ${RETRAIN_TORCH_INCLUDE_DIRS})
  target_link_libraries(retrain_torch INTERFACE ${TORCH_LIBRARIES})
  # TorchConfig puts -D_GLIBCXX_USE_CXX11_ABI into TORCH_CXX_FLAGS rather than on the target.
  target_compile_definitions(retrain_torch INTERFACE _GLIBCXX_USE_CXX11_ABI=${_torch_cxx11_abi})
else()
  # Pitfall 4: CPU-only build from a wheel whose config would demand CUDA.
  add_library(retrain_torch INTERFACE)
  target_include_directories(retrain_torch SYSTEM INTERFACE ${RETRAIN_TORCH_INCLUDE_DIRS})
  target_link_libraries(retrain_torch INTERFACE
    "${RETRAIN_TORCH_LIB_DIR}/libtorch.so" "${RETRAIN_TORCH_LIB_DIR}/libtorch_cpu.so"
    "${RETRAIN_TORCH_LIB_DIR}/libc10.so")
  target_compile_definitions(retrain_torch INTERFACE _GLIBCXX_USE_CXX11_ABI=${_torch_cxx11_abi})
endif()
# Pitfall 6: libstdc++ ahead of libtorch in the dynamic symbol search order.
target_link_options(retrain_torch INTERFACE "LINKER:--push-state,--no-as-needed,-lstdc++,--pop-state")
add_library(retrain::torch ALIAS retrain_torch)
message(STATUS "retrain: torch ${RETRAIN_TORCH_VERSION} (CUDA '${RETRAIN_TORCH_CUDA_VERSION}') in ${_torch_dir}; "
               "retrain CUDA kernels: ${RETRAIN_WITH_CUDA}")
