# The rooms of docs/architecture.md as one static library each. A room links only the rooms it names,
# and those must already be declared, so every link points down; the layering check
# (cmake/check_layering.cmake, a step the executable depends on) then fails the build on an #include of
# a room that is not below. The list of rooms and what each may use is written to generated/rooms.txt for the check.
#
#   retrain_room(<name> [DEPS <rooms below>...] [SOURCES <extra sources>...] [EXECUTABLE <exe>] [NO_PCH]
#                [STANDALONE])
# builds src/<name>/*.cpp (plus SOURCES) into the static library retrain_<name>, or into the executable
# <exe> for the top room (its objects must all be linked: cli/early_start.cpp is reached only through
# .preinit_array, which a static library would drop), with the shared precompiled header unless NO_PCH.
# A STANDALONE room is an executable of plain C++ without LibTorch or any other room (the launcher).

set_property(GLOBAL PROPERTY RETRAIN_ROOMS "")

function(retrain_room name)
  cmake_parse_arguments(ROOM "NO_PCH;STANDALONE" "EXECUTABLE" "DEPS;SOURCES" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${name}/*.cpp")
  if(ROOM_EXECUTABLE)
    set(target ${ROOM_EXECUTABLE})
    add_executable(${target} ${sources} ${ROOM_SOURCES})
  else()
    set(target retrain_${name})
    add_library(${target} STATIC ${sources} ${ROOM_SOURCES})
  endif()
  set_property(GLOBAL APPEND PROPERTY RETRAIN_ROOMS ${name})
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  if(ROOM_EXECUTABLE)
    add_dependencies(${target} retrain_layering_check)
  endif()
  if(ROOM_STANDALONE)
    return()
  endif()
  target_link_libraries(${target} PUBLIC retrain_base)
  set(below "")
  foreach(dep IN LISTS ROOM_DEPS)
    if(NOT TARGET retrain_${dep})
      message(FATAL_ERROR "retrain: room '${name}' uses '${dep}', which is not declared before it "
                          "(a room may only use the rooms below it)")
    endif()
    target_link_libraries(${target} PUBLIC retrain_${dep})
    get_property(dep_below GLOBAL PROPERTY RETRAIN_ROOM_BELOW_${dep})
    list(APPEND below ${dep} ${dep_below})
  endforeach()
  list(REMOVE_DUPLICATES below)
  list(SORT below)
  set_property(GLOBAL PROPERTY RETRAIN_ROOM_BELOW_${name} "${below}")
  if(NOT ROOM_NO_PCH)
    target_precompile_headers(${target} REUSE_FROM retrain_pch)
  endif()
endfunction()

# Writes generated/rooms.txt ("room: rooms below it", one line per room) and adds the build step that
# checks every #include of src/ and include/retrain/ against it. Call after the last retrain_room.
function(retrain_layering_check_target)
  get_property(rooms GLOBAL PROPERTY RETRAIN_ROOMS)
  set(spec "")
  foreach(room IN LISTS rooms)
    get_property(below GLOBAL PROPERTY RETRAIN_ROOM_BELOW_${room})
    string(REPLACE ";" " " below "${below}")
    string(APPEND spec "${room}: ${below}\n")
  endforeach()
  set(spec_file "${PROJECT_BINARY_DIR}/generated/rooms.txt")
  file(WRITE "${spec_file}" "${spec}")
  file(GLOB_RECURSE checked CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/*.cpp" "${PROJECT_SOURCE_DIR}/src/*.hpp"
                                              "${PROJECT_SOURCE_DIR}/include/retrain/*.hpp")
  set(stamp "${PROJECT_BINARY_DIR}/generated/layering.ok")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -DROOMS=${spec_file} -DSTAMP=${stamp}
            -P "${PROJECT_SOURCE_DIR}/cmake/check_layering.cmake"
    DEPENDS ${checked} "${spec_file}" "${PROJECT_SOURCE_DIR}/cmake/check_layering.cmake"
    COMMENT "Checking that every #include points to a room below" VERBATIM)
  add_custom_target(retrain_layering_check DEPENDS "${stamp}")
endfunction()
