"""The confusion-matrix image staff see on the comparison page: Vietnamese axis titles, and every
Vietnamese letter drawn (no missing-glyph boxes)."""
from __future__ import annotations

import io
import warnings

import numpy as np

from nlu.training.report import confusion_figure


def test_axis_titles_are_vietnamese_and_drawable() -> None:
    from matplotlib import pyplot as plt

    matrix = np.array([[5, 1], [0, 3]])
    with warnings.catch_warnings(record=True) as caught:  # matplotlib warns of a glyph it cannot draw
        warnings.simplefilter("always")
        figure = confusion_figure(["cu_tru", "ho_tich"], matrix,
                                  "Mô hình 20261129T0900: lĩnh vực, tập kiểm tra")
        figure.savefig(io.BytesIO(), format="png")
    plt.close(figure)
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
    axes = figure.axes[0]
    assert axes.get_xlabel() == "Mô hình dự đoán (mã lĩnh vực)"
    assert axes.get_ylabel() == "Nhãn đúng (mã lĩnh vực)"
    assert "lĩnh vực, tập kiểm tra" in axes.get_title()
    texts = " ".join([axes.get_xlabel(), axes.get_ylabel(), axes.get_title()]).lower()
    assert "predicted" not in texts and "gold" not in texts and "held-out" not in texts
