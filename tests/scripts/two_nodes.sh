#!/usr/bin/env bash
# Two "nodes" in network namespaces joined by a veth pair (10.77.R.1 and 10.77.R.2): rank 0 hosts the
# store on its node's address, rank 1 reaches it over the veth link, Gloo on each node's interface
# (GLOO_SOCKET_IFNAME). Exit 77 (ctest: skipped) where namespaces are not permitted.
#   tests/scripts/two_nodes.sh RETRAIN_EXE
set -uo pipefail
retrain=${1:?usage: $0 RETRAIN_EXE}
id=$$
a=rta$id b=rtb$id
work=$(mktemp -d)
cleanup() { ip netns del "$a" 2> /dev/null; ip netns del "$b" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
if ! ip netns add "$a" 2> "$work/err" || ! ip netns add "$b" 2>> "$work/err"; then
  echo "two_nodes: skipped: network namespaces are not permitted here ($(head -1 "$work/err"))"
  exit 77
fi
set -e
net=10.77.$((id % 250))
ip link add "va$id" netns "$a" type veth peer name "vb$id" netns "$b"
ip -n "$a" addr add "$net.1/24" dev "va$id"
ip -n "$b" addr add "$net.2/24" dev "vb$id"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set "va$id" up
ip -n "$b" link set "vb$id" up

cp "$(dirname "$0")/toy_two_ranks.yaml" "$work/toy.yaml"
set +e
rank() {  # rank R NAMESPACE INTERFACE
  ip netns exec "$2" env RANK="$1" LOCAL_RANK=0 WORLD_SIZE=2 MASTER_ADDR="$net.1" MASTER_PORT=29517 \
    GLOO_SOCKET_IFNAME="$3" OMP_NUM_THREADS=1 "$retrain" run --config "$work/toy.yaml" --out "$work/runs" -q \
    > "$work/rank$1.log" 2>&1
}
rank 0 "$a" "va$id" & p0=$!
rank 1 "$b" "vb$id" & p1=$!
wait "$p0"; c0=$?
wait "$p1"; c1=$?
if [ "$c0" -ne 0 ] || [ "$c1" -ne 0 ]; then
  echo "two_nodes: rank 0 exited $c0, rank 1 exited $c1"; cat "$work/rank0.log" "$work/rank1.log"; exit 1
fi
rows=$(wc -l < "$work/runs/toy/metrics.jsonl")
[ "$rows" -eq 2 ] || { echo "two_nodes: metrics.jsonl has $rows rows, expected 2"; exit 1; }
echo "two_nodes: two ranks on $net.1 and $net.2 trained and committed generations 0 and 1"
