# model_build.sh - sourced by run_bench.sh and threads_profile.sh: how a
# model becomes a program around one of bench/'s mains.  Needs $root,
# $cc and the array cflags set by the caller.

# compile_model SINTER MODEL DIR [OPTION...]: DIR/model.c (and
# DIR/model_weights.S with DIR/model.weights when the weights exceed
# 32 MiB) by `sinter compile`.
compile_model() {
    local sinter=$1 model=$2 dir=$3
    shift 3
    "$sinter" compile "$model" -o "$dir" --name model "$@" > /dev/null
}

# link_model DIR MAIN.c RUNTIME.a OUT [FLAG...]: MAIN.c, DIR/model.c and
# its weights linked with RUNTIME.a into OUT.
link_model() {
    local dir=$1 main=$2 lib=$3 out=$4 weights=()
    shift 4
    [ -e "$dir/model_weights.S" ] && weights=("-Wa,-I,$dir" "$dir/model_weights.S")
    "$cc" -std=c99 "${cflags[@]}" -I"$dir" -I"$root/runtime/include" -o "$out" "$main" \
        "$dir/model.c" ${weights[@]+"${weights[@]}"} "$lib" -lm "$@"
}
