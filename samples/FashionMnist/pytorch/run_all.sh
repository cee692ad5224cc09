#!/bin/sh
# Makes the committed PyTorch reference results. Run from this folder: sh run_all.sh (about 20 CPU minutes a seed).
#
# The recipe was chosen with the C# sample on its validation split (../validation.tsv, docs/fashion-mnist.md):
# Adam 0.001 along a cosine to 0 over 12 epochs, batch 64. This trains seeds 0-4 with it on the 60,000 training
# images and tests them on the 10,000 test images (results.json; the seeds run one at a time, so that a long run
# interrupted keeps the seeds it finished: results_seed{S}.json).
#
# Earlier files: validation.json is a PyTorch sweep of constant-rate recipes on its own validation split
#   /usr/bin/python3 train_reference.py --validate --epochs 12 --grid 1e-3:64,1e-3:128 --seeds 0 --out validation.json
# run_all_constant_9epochs.log is the log of that sweep and of the earlier default recipe (Adam 0.001 constant,
# batch 64, 9 epochs; results_constant_9epochs.json), whose seed 0 also exported fashion_cnn_seed0.safetensors (+ .expected.json) for the loading test:
#   /usr/bin/python3 train_reference.py --lr 0.001 --batch-size 64 --epochs 9 --seeds 0 1 2 3 4 --out results_constant_9epochs.json \
#       --export fashion_cnn_seed0.safetensors --export-images ../data
set -e
PY=/usr/bin/python3
for S in 0 1 2 3 4; do
  $PY train_reference.py --lr 0.001 --schedule cosine --batch-size 64 --epochs 12 --seeds $S --threads 1 --out results_seed$S.json
done
$PY -c "
import json, sys
runs = [json.load(open(f'results_seed{s}.json'))['runs'][0] for s in range(5)]
accs = [r['test_accuracy'] for r in runs]
json.dump({'mode': 'test', 'recipe': json.load(open('results_seed0.json'))['recipe'], 'runs': runs,
           'mean_test_accuracy': sum(accs) / len(accs), 'min_test_accuracy': min(accs), 'max_test_accuracy': max(accs)},
          open('results.json', 'w'), indent=1)
"
