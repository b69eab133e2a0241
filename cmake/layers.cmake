# Layers are build targets, and their dependencies point one way:
#   app -> http -> sync, auth -> store, gitlab -> core
# and metrics (the one registry every adapter reports to) below all but core, beside it.
# provisio_layer(NAME ALLOWED...) declares library provisio_NAME from src/NAME and a check that
# fails the build when a file of the layer includes a header of a layer it may not use.
set(PROVISIO_LAYERS core metrics store gitlab sync auth http app)

function(provisio_layer name)
  cmake_parse_arguments(L "" "" "ALLOWED;SOURCES;LINK" ${ARGN})
  set(files ${L_SOURCES})
  file(GLOB headers CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.hpp")
  list(APPEND files ${headers})
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${name}_layer_check.stamp")
  list(JOIN L_ALLOWED "," allowed)
  list(JOIN PROVISIO_LAYERS "," all_layers)
  set(abs_files "")
  foreach(f IN LISTS files)
    get_filename_component(f "${f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND abs_files "${f}")
  endforeach()
  list(JOIN abs_files "|" files_arg)
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND ${CMAKE_COMMAND} -DLAYER=${name} "-DALLOWED=${allowed}" "-DALL_LAYERS=${all_layers}"
            "-DFILES=${files_arg}" -DSTAMP=${stamp} -P "${PROJECT_SOURCE_DIR}/cmake/check_layer.cmake"
    DEPENDS ${abs_files} "${PROJECT_SOURCE_DIR}/cmake/check_layer.cmake"
    VERBATIM
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Checking the includes of layer ${name}")
  add_custom_target(provisio_${name}_layer_check DEPENDS "${stamp}")
  add_library(provisio_${name} STATIC ${L_SOURCES})
  add_dependencies(provisio_${name} provisio_${name}_layer_check)
  target_include_directories(provisio_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_compile_options(provisio_${name} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wno-missing-field-initializers)  # g++ 12 flags designated initializers that rely on defaults
  foreach(dep IN LISTS L_ALLOWED)
    target_link_libraries(provisio_${name} PUBLIC provisio_${dep})
  endforeach()
  target_link_libraries(provisio_${name} PUBLIC ${L_LINK})
endfunction()

# Our own executables and tests get the same warnings.
function(provisio_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wno-missing-field-initializers)  # g++ 12 flags designated initializers that rely on defaults
endfunction()
