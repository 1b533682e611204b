"""The evaluation's own arithmetic: AUC by ranks, and folds that never split a group."""

import numpy as np
import pytest

from bench.fitting import grouped_folds, roc_auc


def test_roc_auc_counts_ties_half_and_orders_pairs():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5
    # 1 positive, 3 negatives: beats two, ties one.
    assert roc_auc([1, 0, 0, 0], [0.5, 0.5, 0.1, 0.2]) == pytest.approx(2.5 / 3)


@pytest.mark.parametrize("folds", [5, 8])
def test_grouped_folds_cover_everything_once_and_keep_groups_whole(folds):
    groups = np.repeat(np.arange(8), 3)
    seen = []
    for train, test in grouped_folds(groups, folds):
        assert not set(groups[train]) & set(groups[test])
        seen.extend(test)
    assert sorted(seen) == list(range(len(groups)))


def test_one_fold_per_group_holds_out_each_group_alone():
    groups = np.array(["a", "b", "a", "c", "b"])
    held_out = [sorted(set(groups[test])) for _, test in grouped_folds(groups, 3)]
    assert sorted(held_out) == [["a"], ["b"], ["c"]]
