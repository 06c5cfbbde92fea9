#!/bin/bash
# cli_docs.test.sh BUILD - the pppkit command's documentation cannot drift
# from the binary: every command and subcommand that the usage texts of
# build/pppkit list (pppkit --help, pppkit firewall|ddns|mss --help, ...) is
# offered by the bash completion (etc/bash-completion/pppkit, run as bash
# runs it: COMP_WORDS, COMP_CWORD, _pppkit) and named in pppkit(8)
# (supervisor/pppkit.8, rendered), and so is every option of those usage
# lines. Also: the completion offers nothing the binary does not list, and
# completes link and profile names from --config FILE.
set -u
build=$(readlink -f "${1:-${PPPKIT_BUILD:-build}}")
top=${PPPKIT_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/netns/lib.sh"
pk=$build/pppkit
comp=$top/etc/bash-completion/pppkit
man8=$top/supervisor/pppkit.8
[ -x "$pk" ] || nsl_skip "no $pk (make all)"
tmp=$(mktemp -d)
nsl_on_exit rm -rf "$tmp"

# complete WORD... : what _pppkit offers for the command line "pppkit WORD...",
# the cursor on the last word; one word a line, sorted
complete_words() {
    bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=(pppkit "$@"); COMP_CWORD=$#; _pppkit
        printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" 2>&1 | sort -u
}
usage() { "$pk" "$@" --help 2>&1; } # the usage text of a (sub)command
# offered LIST WORD... : every word of LIST is offered for "pppkit WORD..."
offered() {
    local want=$1 missing=""
    shift
    local got w
    got=$(complete_words "$@")
    for w in $want; do grep -qxF -- "$w" <<<"$got" || missing="$missing $w"; done
    [ -z "$missing" ] || { echo "not offered for 'pppkit $*':$missing (offered: $(echo $got))"; return 1; }
}

# ---- what the binary lists ----------------------------------------------------
top_cmds=$(usage | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
fw_cmds=$(usage firewall | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
ddns_cmds=$(usage ddns | sed -n 's/.* ddns \([a-z][a-z-]*\).*/\1/p')
mss_cmds=$(usage mss | sed -n 's/.* mss \([a-z|]*\) .*/\1/p' | tr '|' '\n' | sort -u)
echo "usage: commands $(echo $top_cmds); firewall $(echo $fw_cmds); ddns $(echo $ddns_cmds); mss $(echo $mss_cmds)"
check "pppkit --help lists commands (at least check, firewall, status, version)" \
    test "$(grep -cxE 'check|firewall|status|version' <<<"$top_cmds")" = 4
check "pppkit firewall --help lists its subcommands (apply among them)" grep -qx apply <<<"$fw_cmds"
check "pppkit ddns --help lists its subcommands" test -n "$ddns_cmds"
check "pppkit mss --help lists its subcommands" test -n "$mss_cmds"
# options: every --option of a usage line, by (sub)command
opts() { grep -oE -- '--[a-z][a-z-]*' | grep -vx -- '--config' | sort -u; }
fw_show_opts=$(usage firewall | grep '^  show ' | opts)
fw_import_opts=$(usage firewall import | grep 'import' | opts)
ddns_update_opts=$(usage ddns | grep ' ddns update' | opts)
ddns_status_opts=$(usage ddns | grep ' ddns status' | opts)
mss_remove_opts=$(usage mss | grep ' mss remove' | opts)
status_opts=$(usage status | opts)
wait_opts=$(usage wait-online | opts)

# ---- the completion -------------------------------------------------------------
check "completion file $comp" test -f "$comp"
check "bash -n $comp" bash -n "$comp"
check "completes every command of pppkit --help" offered "$top_cmds" ""
check "completes every command after --config FILE" offered "$top_cmds" --config /x ""
check "completes every firewall subcommand" offered "$fw_cmds" firewall ""
check "completes every ddns subcommand" offered "$ddns_cmds" ddns ""
check "completes every mss subcommand" offered "$mss_cmds" mss ""
check "firewall show: $(echo $fw_show_opts)" offered "$fw_show_opts" firewall show --
check "firewall import: $(echo $fw_import_opts)" offered "$fw_import_opts" firewall import x --
check "ddns update: $(echo $ddns_update_opts)" offered "$ddns_update_opts" ddns update --
check "ddns status: $(echo $ddns_status_opts)" offered "$ddns_status_opts" ddns status --
check "mss remove: $(echo $mss_remove_opts)" offered "$mss_remove_opts" mss remove --
check "status: $(echo $status_opts)" offered "$status_opts" status --
check "wait-online: $(echo $wait_opts)" offered "$wait_opts" wait-online --
check "completes a prefix: 'pppkit fi' -> firewall" test "$(complete_words fi)" = firewall
# nothing the binary does not know
extra=""
for w in $(complete_words ""); do
    case $w in --config | help) continue ;; esac
    grep -qxF -- "$w" <<<"$top_cmds" || extra="$extra $w"
done
check_eq "completion offers no command the usage does not list" "" "$extra"
extra=""
for w in $(complete_words firewall ""); do grep -qxF -- "$w" <<<"$fw_cmds" || extra="$extra $w"; done
check_eq "completion offers no firewall subcommand the usage does not list" "" "$extra"
# the usage texts list what the code dispatches: each `cmd == "X"` of
# supervisor/cli/main.cpp, `verb|sub == "X"` of plugins/*/cli/*_cmd.cpp
dispatched() { # VAR FILE: the X of each `VAR == "X"`
    sed -n "s/.*\b$1 == \"\([a-z][a-z-]*\)\".*/\1/p" "$2" | sort -u
}
unlisted() { # DISPATCHED LISTED
    local w
    for w in $1; do grep -qxF -- "$w" <<<"$2" || echo -n " $w"; done
}
check "the dispatch is found (firewall verbs: $(echo $(dispatched verb "$top/plugins/firewall/cli/firewall_cmd.cpp")))" \
    test "$(dispatched verb "$top/plugins/firewall/cli/firewall_cmd.cpp" | grep -cxE 'apply|import')" = 2
check_eq "every command main.cpp dispatches is in pppkit --help" "" \
    "$(unlisted "$(dispatched cmd "$top/supervisor/cli/main.cpp" | grep -vx help)" "$top_cmds")"
check_eq "every firewall verb is in pppkit firewall --help" "" \
    "$(unlisted "$(dispatched verb "$top/plugins/firewall/cli/firewall_cmd.cpp")" "$fw_cmds")"
check_eq "every ddns verb is in pppkit ddns --help" "" \
    "$(unlisted "$(dispatched sub "$top/plugins/ddns/cli/ddns_cmd.cpp")" "$ddns_cmds")"
check_eq "every mss verb is in pppkit mss --help" "" \
    "$(unlisted "$(dispatched verb "$top/plugins/mss/cli/mss_cmd.cpp")" "$mss_cmds")"
# names from the configuration
cat >"$tmp/c.conf" <<'EOC'
[link "dsl-provider"]
[link ppp-two]
[ddns "home"]
EOC
mkdir -p "$tmp/c.d"
printf '[link "from-dropin"]\n' >"$tmp/c.d/10-x.conf"
check "status NAME: the [link] names of --config FILE and its drop-ins" \
    offered "dsl-provider ppp-two from-dropin" --config "$tmp/c.conf" status ""
check "ddns --profile NAME: the [ddns] names" offered home --config "$tmp/c.conf" ddns update --profile ""

# ---- pppkit(8) --------------------------------------------------------------------
if command -v man >/dev/null; then
    MANWIDTH=250 LC_ALL=C.UTF-8 man -l "$man8" 2>/dev/null | col -b | sed 's/‐/-/g' >"$tmp/man.txt"
else # the roff source, without its font and escape sequences
    sed 's/\\f[BIRP]//g; s/\\-/-/g; s/\\(..//g' "$man8" >"$tmp/man.txt"
fi
check "pppkit(8) rendered" test -s "$tmp/man.txt"
names() { # CMD WORDS: each "CMD WORD" (or a|b list holding WORD) that pppkit(8) does not name
    local c=$1 w
    shift
    for w in $*; do
        grep -qE "(^|[^a-z-])$c ([a-z]+\|)*$w([^a-z-]|$)" "$tmp/man.txt" || echo -n " $c $w"
    done
}
missing=""
for w in $top_cmds; do grep -qE "^ +$w( |$)" "$tmp/man.txt" || missing="$missing $w"; done
check_eq "pppkit(8) has an entry for every command" "" "$missing"
check_eq "pppkit(8) names every firewall subcommand" "" "$(names firewall $fw_cmds)"
check_eq "pppkit(8) names every ddns subcommand" "" "$(names ddns $ddns_cmds)"
check_eq "pppkit(8) names every mss subcommand" "" "$(names mss $mss_cmds)"
missing=""
for o in $fw_show_opts $fw_import_opts $ddns_update_opts $ddns_status_opts $mss_remove_opts $status_opts $wait_opts; do
    grep -qF -- "$o" "$tmp/man.txt" || missing="$missing $o"
done
check_eq "pppkit(8) names every option of the usage texts" "" "$missing"

# ---- pppkit.conf(5) and pppkitd(8) --------------------------------------------------
conf5=$top/docs/pppkit.conf.5
MANWIDTH=250 LC_ALL=C.UTF-8 man -l "$conf5" 2>/dev/null | col -b | sed 's/‐/-/g' >"$tmp/conf5.txt" ||
    sed 's/\\f[BIRP]//g; s/\\-/-/g; s/\\(dq/"/g' "$conf5" >"$tmp/conf5.txt"
link_keys=$(sed -n '/^std::vector<config::SectionSpec> link_sections/,/^}/s/.*\.key = "\([a-z-]*\)".*/\1/p' \
    "$top/supervisor/core/schema.cpp")
check "the [link] schema has keys ($(echo $link_keys))" test -n "$link_keys"
check "pppkit.conf(5) has a [link \"name\"] section" grep -q '^\[link "name"\]' "$tmp/conf5.txt"
missing=""
for k in $link_keys; do
    sed -n '/^\[link "name"\]/,/^[A-Z[]/p' "$tmp/conf5.txt" | grep -qE "^ +$k \(" || missing="$missing $k"
done
check_eq "pppkit.conf(5) [link]: every key of the schema, with its default" "" "$missing"
check "pppkit.conf(5): pppkit-config takes an absolute path" \
    grep -qzE 'pppkit-config[[:space:]]+FILE[^.]*FILE[[:space:]]+must[[:space:]]+be[[:space:]]+an[[:space:]]+absolute[[:space:]]+path' "$tmp/conf5.txt"
for m in "$conf5" "$top/supervisor/pppkitd.8" "$man8"; do
    if command -v man >/dev/null; then
        warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$m" 2>&1 >/dev/null)
        check_eq "man -l $(basename "$m"): warnings" "" "$warn"
    fi
done
nsl_finish
