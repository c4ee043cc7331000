#!/usr/bin/env bash
# Mutation testing of the modules that carry Alur's rules (issue 22). Run by hand, not in CI.
#
#   pip install -e '.[dev,mutation]'      # cosmic-ray, in the `mutation` extra
#   bench/mutation.sh                     # every module below (target: under 30 minutes on 2 cores)
#   bench/mutation.sh forms statements    # only these modules
#
# Prints `NAME: killed K of N mutants` per module and in total, and writes the surviving mutants'
# diffs to $MUTATION_WORK/survivors.txt (bench/README.md, "Mutation testing", lists the equivalent
# ones). Exits 1 when a module is under 90% killed.
#
# cosmic-ray, not mutmut: mutmut 3 copies the code into mutants/ and runs the tests there, but the
# tests import `alur.runtime`, which the editable install maps onto runtime/ itself (package-dir),
# and its trampolines match mutants by module name (`runtime.forms` against `alur.runtime.forms`):
# no mutant would ever run. cosmic-ray mutates the file in place, one mutant at a time, runs the
# module's test command and restores the file, so the installed package sees each mutant.
# Because of that, leave this worktree alone while it runs (no edits, no tests); the originals are
# also kept in $MUTATION_WORK and put back on exit, however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${MUTATION_WORK:-$(mktemp -d /tmp/alur-mutation.XXXXXX)}
mkdir -p "$WORK/originals"
: > "$WORK/survivors.txt"
unset ALUR_TEST_POSTGRES_URL  # SQLite only
TIMEFORMAT='%R'

# The targeted tests of a module run in two steps: the fast ones first, without tests/conftest.py
# (which imports the whole engine: 1-2 s of each run), then, only if those all pass, the ones that
# need it. Plugins that the selected tests do not use are not loaded (another second).
PYTEST="python -m pytest -q -x -p no:cacheprovider -p no:schemathesis -p no:hypothesispytest -p no:anyio -p no:alur-scenarios"

# The operators are the ones mutmut uses, one replacement each: `+`->`-`, `*`->`/`, `==`->`!=`, `<`->`<=` and
# `>=`, `is`->`is not`, `in`->`not in`, `and`<->`or`, `not` removed, True<->False, a number n -> n+1, an except
# clause that catches nothing, a for loop that runs zero times, a decorator removed, break<->continue.
# Left out: cosmic-ray's replacement of each operator by every other one (`+` by `>>`, `==` by `<`...),
# a number n -> n-1 and `not` added before a condition (AddNot): together four times the mutants, and
# almost always killed whenever the kept ones are; and `|`->`&`, which here only ever meets type annotations
# (never evaluated: `from __future__ import annotations`).
KEEP='NumberReplacer|ReplaceAndWithOr|ReplaceOrWithAnd|ZeroIterationForLoop|ExceptionReplacer'
KEEP+='|ReplaceTrueWithFalse|ReplaceFalseWithTrue|RemoveDecorator|ReplaceBreakWithContinue|ReplaceContinueWithBreak'
KEEP+='|ReplaceUnaryOperator_Delete_[A-Za-z]+'
KEEP+='|ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|Pow_Mul|BitAnd_BitOr|BitXor_BitOr|LShift_RShift|RShift_LShift)'
KEEP+='|ReplaceComparisonOperator_(Eq_NotEq|NotEq_Eq|Lt_LtE|Lt_GtE|LtE_Lt|LtE_Gt|Gt_GtE|Gt_LtE|GtE_Gt|GtE_Lt|Is_IsNot|IsNot_Is|In_NotIn|NotIn_In)'

restore() {
    for saved in "$WORK"/originals/*.tar; do
        [ -e "$saved" ] && tar -xf "$saved"
    done
    return 0
}
trap restore EXIT

failed=0
killed_total=0
mutants_total=0
started=$SECONDS

# mutate NAME "PATH..." TIMEOUT "FAST TESTS" "TESTS" [DEFINITION...]
#   PATH: modules or package folders; TIMEOUT: seconds after which a run counts as killed (a mutant
#   that loops); DEFINITION: functions left out (not rule-carrying, or too slow for the 30 minutes).
mutate() {
    local name=$1 path=$2 timeout=$3 fast=$4 tests=$5
    shift 5
    local config="$WORK/$name.toml" session="$WORK/$name.sqlite" command
    if [ -n "$fast" ] && [ -n "$tests" ]; then
        command="sh -c \"$PYTEST --noconftest $fast && $PYTEST $tests\""
    elif [ -n "$fast" ]; then
        command="$PYTEST --noconftest $fast"
    else
        command="$PYTEST $tests"
    fi
    # shellcheck disable=SC2086  # the paths are words
    tar -cf "$WORK/originals/$name.tar" --exclude=__pycache__ $path
    local paths
    paths=$(printf '"%s", ' $path)
    cat > "$config" <<EOF
[cosmic-ray]
module-path = [${paths%, }]
timeout = $timeout
excluded-modules = []
test-command = '$command'

[cosmic-ray.distributor]
name = "local"

[cosmic-ray.filters.operators-filter]
exclude-operators = ['core/(?!($KEEP)\$)']
EOF
    echo "== $name ($path): $command"
    local begun=$SECONDS
    rm -f "$session"
    cosmic-ray init "$config" "$session"
    cr-filter-operators "$session" "$config"
    python bench/mutation_sessions.py skip "$session" "$@"
    if ! cosmic-ray baseline "$config" > "$WORK/$name.baseline.log" 2>&1; then
        echo "$name: the tests fail without any mutant (see $WORK/$name.baseline.log)"
        failed=1
        return
    fi
    cosmic-ray exec "$config" "$session"
    local line
    line=$(python bench/mutation_sessions.py count "$session" "$name" "$WORK/survivors.txt")
    echo "$line ($((SECONDS - begun)) s)"
    local k n
    read -r k n < <(sed -E 's/.*killed ([0-9]+) of ([0-9]+) mutants.*/\1 \2/' <<<"$line")
    killed_total=$((killed_total + k))
    mutants_total=$((mutants_total + n))
    if [ "$n" -gt 0 ] && [ $((k * 100)) -lt $((n * 90)) ]; then
        failed=1
    fi
}

wanted() { [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" $1 "* ]]; }
selected=("$@")
T=tests/runtime

# Working time: the SOP's waktu, working calendars and due times.
wanted standard_time && mutate standard_time runtime/standard_time.py 20 \
    "$T/test_standard_time_edges.py $T/test_standard_time.py" ""
wanted calendars && mutate calendars runtime/calendars.py 30 \
    "$T/test_calendars_edges.py" ""
# Form validation: the schemas at deploy, the data on complete, the messages in Bahasa Indonesia.
wanted forms && mutate forms runtime/forms.py 30 \
    "$T/test_forms_edges.py" "$T/test_forms.py"
# The completion hot path's SQL: who may complete (organisation, role), the revision guard, the task rows.
wanted statements && mutate statements runtime/statements.py 30 \
    "$T/test_statements_edges.py" ""
# Expressions: what the language computes and refuses, its caps and Camunda's conditions. Its scripts
# and the checks deploy adds (scripts.py, static.py) are a run of their own, `bench/mutation.sh
# expression_scripts`: with them the whole run takes more than 30 minutes.
X=runtime/expressions
wanted expressions && mutate expressions "$X/__init__.py $X/evaluator.py $X/parser.py $X/limits.py $X/juel.py" 30 \
    "$T/test_expressions_edges.py" "$T/test_expressions.py"
# The SOP generator: the checks of a transcription and the BPMN it becomes (not its drawing: layout
# and the geometry of the diagram are left out, and so is the command line).
wanted sopgen && mutate sopgen runtime/sopgen.py 30 \
    "$T/test_sopgen_edges.py" "$T/test_sopgen.py $T/test_sopgen_identity.py" \
    - layout size right left bottom Node Flow _n shape main
# Deploy hashing: what makes a new version.
wanted content_hash && mutate content_hash runtime/content_hash.py 30 \
    "$T/test_content_hash.py" ""

[[ " ${selected[*]} " == *" expression_scripts "* ]] && mutate expression_scripts "$X/scripts.py $X/static.py" 30 \
    "$T/test_expression_scripts_edges.py $T/test_expressions_edges.py" "$T/test_expressions.py"

share=0
[ "$mutants_total" -gt 0 ] && share=$((killed_total * 1000 / mutants_total))
echo "total: killed $killed_total of $mutants_total mutants ($((share / 10)).$((share % 10))%), $((SECONDS - started)) s"
echo "survivors: $WORK/survivors.txt"
exit $failed
