#!/bin/sh
# headers.sh INCLUDE_DIR - every public header (whatever headers exist,
# candor.h included) compiles alone as C17 and as C++17 with -pedantic
# -Wall -Wextra -Werror, with gcc and g++, both as the library sees it
# (CANDOR_BUILDING) and as a program does.
set -eu
inc=$1
n=0
for h in "$inc"/candor/*.h; do
	name=candor/$(basename "$h")
	for building in "" -DCANDOR_BUILDING; do
		printf '#include <%s>\nint candor_headertest(void);\nint candor_headertest(void) { return 0; }\n' "$name" |
			gcc -std=c17 -pedantic -Wall -Wextra -Werror $building -fsyntax-only -I "$inc" -x c - ||
			{ echo "$name: not a self-contained C17 header"; exit 1; }
		printf '#include <%s>\nint candor_headertest();\nint candor_headertest() { return 0; }\n' "$name" |
			g++ -std=c++17 -pedantic -Wall -Wextra -Werror $building -fsyntax-only -I "$inc" -x c++ - ||
			{ echo "$name: not a self-contained C++17 header"; exit 1; }
	done
	n=$((n + 1))
done
echo "$n public headers compile alone as C17 and C++17 (-pedantic -Werror)"
