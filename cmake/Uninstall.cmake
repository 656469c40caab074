# Remove what `cmake --install` installed, as listed in its manifest.
#
#   cmake --build build --target uninstall
#   cmake -DHF_MANIFEST=build/install_manifest.txt -P cmake/Uninstall.cmake
#
# The manifest lists the installed paths without DESTDIR; a DESTDIR set now
# is prepended, as at install time. Links are removed as links (never
# followed). Directories that only libhf used (include/hf, lib/cmake/hf)
# are removed when they are left empty; shared ones (bin, lib) are kept.
cmake_minimum_required(VERSION 3.25)

if(NOT HF_MANIFEST)
	set(HF_MANIFEST "${CMAKE_CURRENT_BINARY_DIR}/install_manifest.txt")
endif()
if(NOT EXISTS "${HF_MANIFEST}")
	message(FATAL_ERROR "no install manifest at ${HF_MANIFEST}: run `cmake --install` first "
		"(it writes the manifest into the build directory)")
endif()

file(STRINGS "${HF_MANIFEST}" _files)
set(_dirs "")
set(_removed 0)
foreach(_f IN LISTS _files)
	if(_f STREQUAL "")
		continue()
	endif()
	set(_path "$ENV{DESTDIR}${_f}")
	if(IS_SYMLINK "${_path}" OR EXISTS "${_path}")
		if(IS_DIRECTORY "${_path}" AND NOT IS_SYMLINK "${_path}")
			message(STATUS "Skipping directory: ${_path}")
			continue()
		endif()
		message(STATUS "Removing: ${_path}")
		file(REMOVE "${_path}")
		if(IS_SYMLINK "${_path}" OR EXISTS "${_path}")
			message(FATAL_ERROR "cannot remove ${_path}")
		endif()
		math(EXPR _removed "${_removed} + 1")
	else()
		message(STATUS "Not installed: ${_path}")
	endif()
	get_filename_component(_dir "${_path}" DIRECTORY)
	get_filename_component(_name "${_dir}" NAME)
	if(_name STREQUAL "hf")
		list(APPEND _dirs "${_dir}")
	endif()
endforeach()

# include/hf, lib/cmake/hf: ours alone; removed only when empty.
list(REMOVE_DUPLICATES _dirs)
foreach(_d IN LISTS _dirs)
	if(IS_DIRECTORY "${_d}" AND NOT IS_SYMLINK "${_d}")
		file(GLOB _left "${_d}/*" "${_d}/.*")
		if(NOT _left)
			message(STATUS "Removing empty directory: ${_d}")
			file(REMOVE_RECURSE "${_d}")
		endif()
	endif()
endforeach()
message(STATUS "Removed ${_removed} file(s) listed in ${HF_MANIFEST}")
