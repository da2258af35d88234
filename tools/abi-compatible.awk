# abi-compatible.awk - read `abidiff --leaf-changes-only --no-added-syms`
# and exit 0 when every change it reports is one candor's conventions make
# compatible (docs/abi.md), 1 otherwise, naming the first offending line:
#   - members appended to a versioned options struct (candor_*_options,
#     candor_*_columns: the library reads only the caller's version's
#     prefix): the size grows and every insertion lies at or past the old end;
#   - enumerators added to an enum, with only a *_COUNT enumerator changing
#     value (views are pointer + count, so a new metric is an addition).
# Anything else (a removed or changed function or variable, a moved,
# retyped or removed member, a struct used in arrays that grew) is a break.
function bad(why) { print "abi-check: not a compatible change: " why; failed = 1; exit 1 }
/^Removed\/Changed\/Added (functions|variables) summary:/ {
	if ($0 !~ / 0 Removed, 0 Changed,/) bad($0)
	next
}
/^(Leaf changes|Changed leaf types) summary:/ { next }
/^$/ { next }
/^'struct [a-z0-9_]+' changed:$/ {
	name = $2; gsub(/'/, "", name)
	if (name !~ /^candor_[a-z0-9_]+_(options|columns)$/) bad($0)
	kind = "struct"; oldsize = -1; next
}
/^'enum [a-z0-9_]+' changed:$/ { kind = "enum"; next }
/^'/ { bad($0) }
kind == "struct" && /^  type size changed from [0-9]+ to [0-9]+ \(in bits\)$/ {
	if ($7 + 0 <= $5 + 0) bad($0)
	oldsize = $5 + 0; next
}
kind == "struct" && /^  [0-9]+ data member insertions?:$/ { next }
kind == "struct" && /^    '.*', at offset [0-9]+ \(in bits\)$/ {
	off = $(NF - 2) + 0
	if (oldsize < 0 || off < oldsize) bad($0)
	next
}
kind == "enum" && /^  type size hasn't changed$/ { next }
kind == "enum" && /^  [0-9]+ enumerator insertions?:$/ { next }
kind == "enum" && /^    '[A-Z0-9_]+' value '-?[0-9]+'$/ { next }
kind == "enum" && /^  [0-9]+ enumerator changes?:$/ { next }
kind == "enum" && /^    '[A-Z0-9_]+_COUNT' from value '[0-9]+' to '[0-9]+' at / { next }
{ bad($0) }
END { if (!failed) exit 0 }
