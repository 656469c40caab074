# Warnings for our own targets. -Werror only when HF_WERROR is on (CI).
function(hf_set_warnings target)
	target_compile_options(${target} PRIVATE
		-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
		-Wmissing-prototypes -Wold-style-definition -Wpointer-arith
		-Wwrite-strings -Wvla -Wformat=2 -Wundef -Wimplicit-fallthrough
		-Wredundant-decls -Wnested-externs -Wconversion -fno-common)
	if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
		target_compile_options(${target} PRIVATE
			-Wduplicated-cond -Wlogical-op -Wformat-overflow=2)
	endif()
	if(HF_WERROR)
		target_compile_options(${target} PRIVATE -Werror)
	endif()
endfunction()
