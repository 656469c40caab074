# Man pages and shell completion for the hf command.
#
# Included by the top-level CMakeLists.txt after the hf target. The man
# pages are generated at build time by scripts/gen-man.py from the built
# binary's --help output (so they cannot drift from it) into
# ${CMAKE_BINARY_DIR}/man/man1; python3 is needed for that step only,
# never to run hf. Without python3 (or when cross-compiling) the pages are
# skipped with a message and the rest of the build is unaffected.
#
# The completion scripts are checked in (completions/); their generated
# lists are refreshed with
#   python3 scripts/gen-man.py completions --hf build/hf --update

include_guard(GLOBAL)

option(HF_MAN_PAGES "Generate the man pages from hf --help at build time (needs python3)" ON)

if(NOT TARGET hf)
	message(STATUS "hf is not built (HF_BUILD_CLI=OFF): no man pages, no shell completion")
	return()
endif()

include(GNUInstallDirs)

set(_hf_completions ${PROJECT_SOURCE_DIR}/completions)
install(FILES ${_hf_completions}/hf.bash
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME hf)
install(FILES ${_hf_completions}/hf.bash
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME huggingface-cli)
install(FILES ${_hf_completions}/hf.zsh
	DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions RENAME _hf)
install(FILES ${_hf_completions}/hf.fish
	DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d RENAME hf.fish)
# fish loads completions by command name: the same file serves the legacy name.
install(FILES ${_hf_completions}/hf.fish
	DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d RENAME huggingface-cli.fish)

if(NOT HF_MAN_PAGES)
	message(STATUS "Man pages: off (HF_MAN_PAGES=OFF)")
	return()
endif()
if(CMAKE_CROSSCOMPILING)
	message(STATUS "Man pages: skipped (cross-compiling: the built hf cannot run here)")
	return()
endif()
find_package(Python3 COMPONENTS Interpreter QUIET)
if(NOT Python3_Interpreter_FOUND)
	message(STATUS "Man pages: skipped (python3 not found; it is needed only to generate them)")
	return()
endif()

set(HF_MAN_DIR ${CMAKE_BINARY_DIR}/man/man1)
set(_hf_man_stamp ${CMAKE_BINARY_DIR}/man/pages.txt)
add_custom_command(OUTPUT ${_hf_man_stamp}
	COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/gen-man.py man
		--hf $<TARGET_FILE:hf> --out ${HF_MAN_DIR} --stamp ${_hf_man_stamp}
	DEPENDS hf
		${PROJECT_SOURCE_DIR}/scripts/gen-man.py
		${PROJECT_SOURCE_DIR}/docs/EXIT-CODES.md
		${PROJECT_SOURCE_DIR}/docs/cli.md
	COMMENT "Generating man pages from hf --help"
	VERBATIM)
add_custom_target(man ALL DEPENDS ${_hf_man_stamp})
install(DIRECTORY ${HF_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
	FILES_MATCHING PATTERN "*.1")
message(STATUS "Man pages: ${HF_MAN_DIR} (target man)")
