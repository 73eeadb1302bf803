#!/bin/sh
# Regenerates test/fixtures/capture/ from real captures of loopback traffic.
#
# Needs root (for a network namespace and capturing), tcpdump, dumpcap, editcap, capinfos and
# openssl. The traffic runs in a fresh namespace so nothing else on the machine gets captured.
# Run from the repository root: sh test/support/capture/generate-capture-fixtures.sh
set -eu

out=test/fixtures/capture
support=test/support/capture
namespace="sockscope-fixtures-$$"
work=$(mktemp -d)
pids=""

cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  ip netns del "$namespace" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start_capture() {
  ip netns exec "$namespace" "$@" 2>>"$work/capture.log" &
  pids="$pids $!"
}

stop_captures() {
  sleep 1
  for pid in $pids; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  pids=""
}

mkdir -p "$out"
ip netns add "$namespace"
ip -n "$namespace" link set lo up
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=secure.sockscope.test -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

start_capture tcpdump -i lo -s 0 -U -w "$work/loopback.pcap"
start_capture tcpdump -i lo -s 0 -U --time-stamp-precision=nano -w "$work/loopback-nanoseconds.pcap"
start_capture dumpcap -i lo -q -w "$work/loopback.pcapng"
start_capture tcpdump -i any -s 0 -U -w "$work/any-sll2.pcap"
start_capture tcpdump -i any -y LINUX_SLL -s 0 -U -w "$work/any-sll.pcap"
start_capture dumpcap -i lo -i any -q -w "$work/multi-interface.pcapng"
sleep 2
ip netns exec "$namespace" npx tsx "$support/fixture-traffic.ts" "$work"
stop_captures

# A small MTU makes the kernel fragment large datagrams, even on loopback.
ip -n "$namespace" link set lo mtu 1500
start_capture tcpdump -i lo -s 0 -U -w "$work/fragments.pcap"
sleep 2
ip netns exec "$namespace" npx tsx "$support/fixture-traffic.ts" "$work" --fragments
stop_captures

for name in loopback.pcap loopback-nanoseconds.pcap loopback.pcapng any-sll2.pcap any-sll.pcap multi-interface.pcapng fragments.pcap; do
  cp "$work/$name" "$out/$name"
done
editcap -F pcapng "$out/loopback-nanoseconds.pcap" "$out/loopback-nanoseconds.pcapng"
# Two sections, written by dumpcap and by editcap, each with its own interface list.
cat "$out/loopback.pcapng" "$out/loopback-nanoseconds.pcapng" > "$out/multi-section.pcapng"
npx tsx "$support/swap-pcap-byte-order.ts" "$out/loopback.pcap" "$out/loopback-big-endian.pcap"
# A snaplen of 64 keeps headers but cuts payloads: captured length < original length.
editcap -s 64 "$out/loopback.pcapng" "$out/loopback-snaplen-64.pcapng"

chmod 644 "$out"/*
capinfos -M -c -d -t -E -l "$out"/*.pcap "$out"/*.pcapng
