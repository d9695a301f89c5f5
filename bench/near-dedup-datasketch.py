"""datasketch side of bench/near-dedup.ts: the same keep-first MinHash-LSH dedup, written the
idiomatic fast way (MinHash.generator shares permutations; LSH built with explicit bands/rows).

usage: python near-dedup-datasketch.py SENTENCES PAIRS_OUT NUM_PERM BANDS ROWS THRESHOLD SHINGLE SIZE LIMIT
Prints one JSON line: {"n", "seconds", "peak_rss_mb"}; writes "later earlier similarity" lines to PAIRS_OUT.
"""
import json
import re
import resource
import sys
import time

try:
    from datasketch import MinHash, MinHashLSH
except ImportError:
    print(json.dumps({"error": "datasketch is not installed: pip install datasketch"}))
    sys.exit(3)

path, pairs_out, num_perm, bands, rows, threshold, shingle, size, limit = sys.argv[1:10]
num_perm, bands, rows, size, limit = int(num_perm), int(bands), int(rows), int(size), int(limit)
threshold = float(threshold)

with open(path, encoding="utf-8") as handle:
    sentences = handle.read().split("\n")[:limit]

WORD = re.compile(r"[a-z0-9]+")


def shingles(text):
    # Same shingles as the TypeScript side: lowercase letter/digit words, or lowercase characters
    # with whitespace collapsed; a text shorter than one shingle is a single shingle.
    if shingle == "word":
        words = WORD.findall(text.lower())
        width = min(size, len(words))
        return [" ".join(words[i : i + width]).encode() for i in range(len(words) - width + 1)] if words else []
    compact = " ".join(text.lower().split())
    width = min(size, len(compact))
    return [compact[i : i + width].encode() for i in range(len(compact) - width + 1)] if compact else []


start = time.perf_counter()
lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
kept = {}
found = []
for index, minhash in enumerate(MinHash.generator((shingles(s) for s in sentences), num_perm=num_perm)):
    best, best_similarity = -1, -1.0
    for candidate in lsh.query(minhash):
        similarity = minhash.jaccard(kept[candidate])
        if similarity >= threshold and similarity > best_similarity:
            best, best_similarity = candidate, similarity
    if best >= 0:
        found.append((index, best, best_similarity))
    else:
        lsh.insert(index, minhash)
        kept[index] = minhash
seconds = time.perf_counter() - start

with open(pairs_out, "w", encoding="utf-8") as handle:
    handle.writelines(f"{later} {earlier} {similarity:.4f}\n" for later, earlier, similarity in found)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": len(sentences), "seconds": seconds, "peak_rss_mb": peak_mb}))
