# Debian-packaged dependencies, gathered behind one target `retrain::deps`.
# (apt: libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libstb-dev libzip-dev)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(ZLIB REQUIRED)
# libzip: Debian's libzip-config.cmake insists on the zipcmp/zipmerge tools being installed, so we
# locate the library and header directly.
find_path(LIBZIP_INCLUDE_DIR zip.h REQUIRED)
find_library(LIBZIP_LIBRARY zip REQUIRED)
find_path(STB_INCLUDE_DIR stb_image_write.h PATH_SUFFIXES stb REQUIRED)

add_library(retrain_deps INTERFACE)
# Debian's yaml-cpp 0.7 exports the target `yaml-cpp`; newer releases name it yaml-cpp::yaml-cpp.
if(TARGET yaml-cpp::yaml-cpp)
  target_link_libraries(retrain_deps INTERFACE yaml-cpp::yaml-cpp)
else()
  target_link_libraries(retrain_deps INTERFACE yaml-cpp)
endif()
target_link_libraries(retrain_deps INTERFACE spdlog::spdlog fmt::fmt CLI11::CLI11 nlohmann_json::nlohmann_json
                                             ZLIB::ZLIB "${LIBZIP_LIBRARY}")
target_include_directories(retrain_deps SYSTEM INTERFACE "${STB_INCLUDE_DIR}" "${LIBZIP_INCLUDE_DIR}")
add_library(retrain::deps ALIAS retrain_deps)
