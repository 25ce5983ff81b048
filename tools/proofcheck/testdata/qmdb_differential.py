"""Differential test of qmdb.py against the Rust logic of kv_proof.rs.

Needs the oracle binary built from qmdb_generated.rs (QMDB_ORACLE, default
/tmp/qmdbvec/target/release/qmdbvec) and that program's full output
(QMDB_VECTORS, default /tmp/qmdbvec/vectors.jsonl). Usage:
    python3 qmdb_differential.py [seed]
It checks that (1) random well-formed proofs of every shape (leaf counts up
to 2^62, any inactive-peak count, both exclusion variants) verify in Rust
under the root Python computes for them; (2) real proofs and their random
mutations get the same verdict from both; (3) crafted edge cases (bounds of
locations, digest counts, value sizes, non-canonical varints) agree.
Not run by unittest discovery (it needs the Rust build)."""
import json, os, random, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import qmdb
from codec import varint

R = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
ORACLE = os.environ.get('QMDB_ORACLE', '/tmp/qmdbvec/target/release/qmdbvec')

def enc_op_proof(loc, chunk, leaves, inactive, digests, partial, ops_root, loc_bytes=None):
    out = loc_bytes if loc_bytes is not None else varint(loc)
    out += chunk + varint(leaves) + varint(inactive) + varint(len(digests)) + b''.join(digests)
    out += (b'\x01' + partial) if partial is not None else b'\x00'
    return out + ops_root

def rnd(n=32): return bytes(R.getrandbits(8) for _ in range(n))

def layout_count(leaves, loc, inactive):
    ps = qmdb.peaks(leaves)
    before = [p for p in ps if p[2] + (1 << p[1]) <= loc]
    after = [p for p in ps if p[2] > loc]
    (pos, h, first), = [p for p in ps if p not in before and p not in after]
    folded = min(inactive, len(before))
    single_after = min(max(inactive - len(before) - 1, 0), len(after))
    suffix = len(after) > single_after
    return (1 if folded else 0) + len(before) - folded + single_after + (1 if suffix else 0) + h, len(ps)

def random_leaves():
    c = R.random()
    if c < 0.3: return R.randint(1, 300)
    if c < 0.6: return R.randint(1, 1 << 16)
    if c < 0.8: return R.choice([256, 512, 768, 1024, 2048, 4096, 1 << 20]) * R.randint(1, 3)
    return R.randint(1, 1 << 62)

def random_case():
    """A structurally valid random proof; returns (kind, proof, key, value)."""
    while True:
        leaves = random_leaves()
        loc = R.randrange(leaves) if R.random() < 0.7 else leaves - 1 - R.randrange(min(leaves, 300))
        n, npeaks = layout_count(leaves, loc, 0)
        inactive = R.randint(0, npeaks)
        n, _ = layout_count(leaves, loc, inactive)
        if n <= 128: break
    chunk = bytearray(rnd() if R.random() < 0.8 else bytes(32))
    bit = loc % 256
    chunk[bit // 8] |= 1 << (bit % 8)
    if R.random() < 0.2:  # only the needed bit
        chunk = bytearray(32); chunk[bit // 8] |= 1 << (bit % 8)
    chunk = bytes(chunk)
    partial = None
    if leaves % 256:
        partial = qmdb.sha256(chunk) if loc // 256 == leaves // 256 else rnd()
    digests = [rnd() for _ in range(n)]
    op = enc_op_proof(loc, chunk, leaves, inactive, digests, partial, rnd())
    key = rnd()
    kind = R.choice(['present', 'span', 'commit'])
    if kind == 'present':
        value = rnd(R.choice([0, 1, 5, 40, 200]))
        return 'present', op + rnd(), key, value
    if kind == 'span':
        a, b = rnd(), rnd()
        if R.random() < 0.1: b = a
        val = rnd(R.choice([0, 3, 100]))
        proof = b'\x00' + op + a + varint(len(val)) + val + b
        # choose key: often inside the span
        if R.random() < 0.7:
            key = R.choice([a, b, bytes(32), b'\xff' * 32, rnd()])
            if R.random() < 0.5:
                k = int.from_bytes(a, 'big') + R.choice([1, 2, -1])
                key = (k % (1 << 256)).to_bytes(32, 'big')
        return 'absent', proof, key, b''
    meta = R.choice([None, b'', rnd(8)])
    proof = b'\x01' + op + (b'\x00' if meta is None else b'\x01' + varint(len(meta)) + meta)
    return 'absent', proof, key, b''

def py_root(kind, proof, key, value):
    return qmdb.presence_root(proof, key, value) if kind == 'present' else qmdb.absence_root(proof, key)

def mutate(p):
    p = bytearray(p)
    c = R.random()
    if c < 0.5 and p:
        i = R.randrange(len(p)); p[i] ^= 1 << R.randrange(8)
    elif c < 0.6 and p:
        del p[R.randrange(len(p)):]
    elif c < 0.7:
        p += rnd(R.randint(1, 3))
    elif c < 0.85 and p:
        i = R.randrange(len(p)); p[i] = R.choice([0, 1, 0x7f, 0x80, 0xff])
    elif p:
        i = R.randrange(len(p)); p[i:i] = bytes([R.choice([0x80, 0x00, 0x01])])
    return bytes(p)

def real_cases():
    out = []
    for l in open(os.environ.get('QMDB_VECTORS', '/tmp/qmdbvec/vectors.jsonl')):
        d = json.loads(l)
        out.append((d['kind'], bytes.fromhex(d['proof']), bytes.fromhex(d['key']),
                    bytes.fromhex(d['value']) if d['value'] else b'', bytes.fromhex(d['root'])))
    # The network's proofs in docs/vectors.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)) + '/..')
    from test_qmdb import real_vectors
    for kind, proof, key, value, root, _ in real_vectors():
        out.append((kind, proof, key, value or b'', root))
    return out

lines, expect = [], []
def add(kind, proof, key, value, root, py):
    lines.append(f"{kind} {proof.hex()} {key.hex()} {value.hex()} {root.hex()}")
    expect.append((py, kind, proof, key, value, root))

# 1. random valid structures: Python's implied root must verify in Rust.
valid = 0
for _ in range(3000):
    kind, proof, key, value = random_case()
    r = py_root(kind, proof, key, value)
    if r is not None:
        valid += 1
        add(kind, proof, key, value, r, True)
        m = mutate(proof)
        add(kind, m, key, value, r, qmdb.verify_present(m, key, value, r) if kind == 'present' else qmdb.verify_absent(m, key, r))
    else:
        root = rnd()
        add(kind, proof, key, value, root, False)
# 2. real vectors and their mutations; mutated ones also under their own implied root.
for kind, proof, key, value, root in real_cases():
    add(kind, proof, key, value, root, True)
    for _ in range(40):
        m = mutate(proof)
        r = py_root(kind, m, key, value)
        add(kind, m, key, value, root, r == root)
        if r is not None and r != root:
            add(kind, m, key, value, r, True)
    other = 'absent' if kind == 'present' else 'present'
    add(other, proof, key, value, root, py_root(other, proof, key, value) == root)

res = subprocess.run([ORACLE, 'oracle'], input='\n'.join(lines) + '\n', capture_output=True, text=True)
got = res.stdout.split()
assert len(got) == len(lines), (len(got), len(lines), res.stderr[-2000:])
bad = 0
for g, (py, kind, proof, key, value, root) in zip(got, expect):
    if (g == '1') != py:
        bad += 1
        if bad < 10: print('MISMATCH rust', g, 'py', py, kind, proof.hex()[:120], key.hex())
print('cases', len(lines), 'valid-random', valid, 'rust-true', got.count('1'), 'mismatches', bad)

# 3. crafted edges.
lines, expect = [], []
K = rnd(); ROOT = rnd()
def edge(kind, proof, key=K, value=b'', root=ROOT):
    add(kind, proof, key, value, root, (qmdb.verify_present(proof, key, value, root) if kind == 'present' else qmdb.verify_absent(proof, key, root)))
chunk = b'\xff' * 32
for leaves in [0, 1, 2, (1 << 62) - 1, 1 << 62, (1 << 62) + 1, (1 << 64) - 1]:
    for loc in [0, leaves - 1, leaves, 1 << 62, (1 << 62) - 1]:
        if loc < 0: continue
        for inactive in [0, 1, 61, 62, 63, (1 << 64) - 1]:
            for nd in [0, 1, 2, 60, 61, 62, 63, 122, 128]:
                d = [rnd() for _ in range(nd)]
                op = enc_op_proof(loc, chunk, leaves, inactive, d, qmdb.sha256(chunk) if leaves % 256 else None, rnd())
                p = op + rnd()
                r = qmdb.presence_root(p, K, b'v')
                edge('present', p, K, b'v', r if r else ROOT)
                q = b'\x01' + op + b'\x00'
                r = qmdb.absence_root(q, K)
                edge('absent', q, K, b'', r if r else ROOT)
# digest count 129 (over the bound) and a non-canonical varint for loc
op = enc_op_proof(0, chunk, 1, 0, [rnd() for _ in range(129)], qmdb.sha256(chunk), rnd())
edge('present', op + rnd())
op = enc_op_proof(0, chunk, 1, 0, [], qmdb.sha256(chunk), rnd(), loc_bytes=b'\x80\x00')
edge('absent', b'\x01' + op + b'\x00')
# values at and over the bound
for n in [65535, 65536, 65537]:
    v = b'\x07' * n
    op = enc_op_proof(0, chunk, 1, 0, [], qmdb.sha256(chunk), rnd())
    p = op + K
    r = qmdb.presence_root(p, K, v)
    edge('present', p, K, v, r if r else ROOT)
    a, b = bytes(32), b'\xff' * 32
    q = b'\x00' + op + a + varint(n) + v + b
    r = qmdb.absence_root(q, K)
    edge('absent', q, K, b'', r if r else ROOT)
    q = b'\x01' + op + b'\x01' + varint(n) + v
    r = qmdb.absence_root(q, K)
    edge('absent', q, K, b'', r if r else ROOT)
res = subprocess.run([ORACLE, 'oracle'], input='\n'.join(lines) + '\n', capture_output=True, text=True)
got = res.stdout.split()
assert len(got) == len(lines), (len(got), len(lines), res.stderr[-3000:])
bad = sum((g == '1') != e[0] for g, e in zip(got, expect))
for g, e in zip(got, expect):
    if (g == '1') != e[0]: print('EDGE MISMATCH', g, e[0], e[1], e[2].hex()[:100]); break
print('edges', len(lines), 'rust-true', got.count('1'), 'mismatches', bad)
