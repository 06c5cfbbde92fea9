#!/bin/bash
# demo.test.sh BUILD - `make demo` in the e2e tier: the same script, the same
# one systemd boot, the same checks (tests/e2e/demo.sh). A step of the story
# that does not happen is a FAIL line stepN-... and a non-zero exit.
exec bash "$(dirname "$(readlink -f "$0")")/demo.sh" "$@"
