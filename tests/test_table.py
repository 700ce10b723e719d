"""Mixed-type DataFrames: per-column likelihoods, dtypes back, errors."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline

import skvae
from skvae import VAEImputer, VAEOutlierDetector, VAETransformer
from skvae._estimators._column_kinds import column_kind
from skvae._estimators._table import TableSchema

FAST = {"max_iter": 3, "hidden_layer_sizes": (16,), "random_state": 0}


@pytest.fixture(scope="module")
def table():
    """A table with one column of each supported dtype, some with holes."""
    rng = np.random.RandomState(0)
    n = 120
    level = rng.randint(0, 3, n)
    frame = pd.DataFrame(
        {
            "real": rng.randn(n) * 5 + 100,
            "real32": (rng.randn(n) + level).astype(np.float32),
            "count": rng.negative_binomial(2, 0.1, n) + 5 * level,
            "count_u8": rng.negative_binomial(1, 0.05, n).clip(0, 255).astype(np.uint8),
            "signed": rng.randint(-50, 50, n),
            "nullable_int": pd.array(rng.negative_binomial(3, 0.1, n), dtype="Int64"),
            "flag": level == 1,
            "nullable_flag": pd.array(rng.rand(n) < 0.3, dtype="boolean"),
            "colour": pd.Categorical(np.array(["red", "green", "blue"])[level]),
            "size": pd.Categorical(
                np.array(["S", "M", "L"])[rng.randint(0, 3, n)],
                categories=["S", "M", "L"],
                ordered=True,
            ),
            "city": np.array(["Oslo", "Lima", "Pune", "Baku"], dtype=object)[
                rng.randint(0, 4, n)
            ],
            "word": pd.array(
                np.array(["a", "b"])[rng.randint(0, 2, n)], dtype="string"
            ),
            "year": rng.randint(1990, 2030, n),  # under-dispersed integers
            "rating": rng.randint(1, 6, n),  # a few distinct numbers
        }
    )
    frame.loc[3, "nullable_int"] = pd.NA
    frame.loc[5, "nullable_flag"] = pd.NA
    frame.loc[7, "colour"] = np.nan
    frame.loc[8, "city"] = None
    frame.loc[9, "word"] = pd.NA
    frame.loc[10, "real"] = np.nan
    return frame


AUTO = {
    "real": "gaussian",
    "real32": "gaussian",
    "count": "negbin",
    "count_u8": "negbin",
    "signed": "gaussian",
    "nullable_int": "negbin",
    "flag": "bernoulli",
    "nullable_flag": "bernoulli",
    "colour": "categorical",
    "size": "ordinal",
    "city": "categorical",
    "word": "categorical",
    "year": "gaussian",
    "rating": "ordinal",
}


@pytest.fixture(scope="module")
def fitted(table):
    return VAETransformer(n_components=2, **FAST).fit(table)


def test_auto_picks_a_likelihood_per_column_from_the_dtype(fitted):
    assert fitted.likelihood_ == AUTO
    config = fitted.module_.config
    assert config.likelihood[fitted.feature_names_in_.tolist().index("colour")] == (
        "categorical:3"
    )
    assert fitted.feature_names_in_.tolist() == list(AUTO)


def test_the_detector_models_real_columns_with_its_cauchy(table):
    det = VAEOutlierDetector(**FAST).fit(table)
    assert det.likelihood_["real"] == "cauchy"
    assert det.likelihood_["colour"] == "categorical"
    assert det.predict(table).shape == (len(table),)


def test_a_dict_overrides_the_choice(table):
    vae = VAETransformer(
        likelihood={"count": "poisson", "real": "lognormal", "signed": "categorical"},
        **FAST,
    ).fit(table)
    chosen = vae.likelihood_
    assert chosen["count"] == "poisson" and chosen["real"] == "lognormal"
    assert chosen["signed"] == "categorical" and chosen["colour"] == "categorical"
    assert vae.sample(3, random_state=0)["signed"].dtype == table["signed"].dtype


@pytest.mark.parametrize("mean", [True, False])
def test_sample_and_inverse_transform_give_back_the_dtypes(fitted, table, mean):
    samples = fitted.sample(40, random_state=0, mean=mean)
    decoded = fitted.inverse_transform(fitted.transform(table))
    for out in (samples, decoded):
        assert list(out.columns) == list(table.columns)
        pd.testing.assert_series_equal(out.dtypes, table.dtypes)
        for name in ("colour", "size"):
            assert out[name].cat.categories.equals(table[name].cat.categories)
        assert out["size"].cat.ordered
        assert set(out["city"].dropna()) <= {"Oslo", "Lima", "Pune", "Baku"}
        assert (out["count"] >= 0).all() and (out["count_u8"] >= 0).all()
        assert not out.isna().any().any()  # the model fills every entry
    assert decoded.index.equals(pd.RangeIndex(len(table)))
    codes = pd.DataFrame(fitted.transform(table), index=table.index * 2 + 7)
    assert fitted.inverse_transform(codes).index.equals(codes.index)


def test_scores_are_densities_in_the_columns_own_units(fitted, table):
    """Scaling a Gaussian column by c shifts its log-density by -log c."""
    per_feature = fitted.score_samples_per_feature(table)
    assert per_feature.shape == table.shape
    assert np.isnan(per_feature[10, 0]) and np.isnan(per_feature[7, 8])
    # the ELBO is the per-feature sum minus the KL term, which is >= 0
    kl = np.nansum(per_feature, axis=1) - fitted.score_samples(table)
    assert (kl > -1e-3).all()
    scaled = table.assign(real=table["real"] * 10.0)
    refit = VAETransformer(n_components=2, **FAST).fit(scaled)
    np.testing.assert_allclose(
        refit.score_samples_per_feature(scaled)[:, 0],
        per_feature[:, 0] - np.log(10.0),
        rtol=1e-4,
        atol=1e-4,
    )


def test_the_imputer_fills_holes_in_the_tables_own_dtypes(table):
    imputer = VAEImputer(n_importance_draws=50, **FAST).fit(table)
    filled = imputer.transform(table)
    pd.testing.assert_series_equal(filled.dtypes, table.dtypes)
    assert not filled.isna().any().any()
    observed = table.notna()
    for name in table.columns:
        pd.testing.assert_series_equal(
            filled[name][observed[name]], table[name][observed[name]]
        )
    assert filled.loc[7, "colour"] in {"red", "green", "blue"}
    split = table.set_axis(np.arange(len(table))[::-1] * 3 + 500)  # a test split's
    pd.testing.assert_frame_equal(
        imputer.transform(split), filled.set_axis(split.index)
    )
    with_indicator = VAEImputer(add_indicator=True, n_importance_draws=20, **FAST).fit(
        table
    )
    out = with_indicator.transform(table)
    assert out["missingindicator_colour"].tolist()[7] is True
    assert list(with_indicator.get_feature_names_out()) == list(out.columns)


def test_conditional_sampling_through_the_imputer(table):
    """Rows whose only observed entry is a condition: draws of the rest."""
    imputer = VAEImputer(sample_posterior=True, n_importance_draws=50, **FAST)
    imputer.fit(table)
    conditions = pd.DataFrame({name: [np.nan] * 20 for name in table.columns})
    conditions["colour"] = "red"
    draws = imputer.transform(conditions)
    pd.testing.assert_series_equal(draws.dtypes, table.dtypes)  # the fitted ones
    assert (draws["colour"] == "red").all()
    assert not draws.isna().any().any()
    assert draws["city"].nunique() > 1  # draws, not one conditional mean


def test_unknown_levels_raise_or_become_missing(fitted, table):
    new = table.iloc[:5].copy()
    new["city"] = ["Oslo", "Rome", "Lima", "Oslo", "Pune"]
    with pytest.raises(
        ValueError, match=r"'city' has levels not seen during fit: \['Rome'\]"
    ):
        fitted.transform(new)
    before = fitted.transform(table.iloc[:5])
    lenient = VAETransformer(n_components=2, handle_unknown="ignore", **FAST).fit(table)
    as_missing = new.copy()
    as_missing.loc[1, "city"] = None
    np.testing.assert_array_equal(lenient.transform(new), lenient.transform(as_missing))
    np.testing.assert_array_equal(fitted.transform(table.iloc[:5]), before)


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_a_string_columns_storage_comes_back(storage):
    if storage == "pyarrow":
        pytest.importorskip("pyarrow")
    rng = np.random.RandomState(0)
    words = pd.array(rng.choice(["a", "b", None], 60), dtype=f"string[{storage}]")
    frame = pd.DataFrame({"word": words, "x": rng.randn(60)})
    vae = VAETransformer(**FAST).fit(frame)
    assert vae.sample(5, random_state=0)["word"].dtype == frame["word"].dtype
    assert vae.inverse_transform(vae.transform(frame))["word"].dtype == words.dtype


def test_a_word_in_a_number_column_is_named(fitted, table):
    new = table.iloc[:3].astype({"real": object})
    new.loc[0, "real"] = "n/a"
    for method in (fitted.transform, fitted.score_samples):
        with pytest.raises(ValueError, match=r"'real' is a number column.*\['n/a'\]"):
            method(new)
    with pytest.raises(ValueError, match=r"'real' is a number column"):
        fitted.sample(2, given={"real": "n/a"})


def test_unsupported_columns_get_clear_errors(table):
    dated = table.assign(when=pd.date_range("2020-01-01", periods=len(table)))
    with pytest.raises(ValueError, match=r"'when' has dtype datetime64.*\.dt\.year"):
        VAETransformer(**FAST).fit(dated)
    lasted = table.assign(took=pd.to_timedelta(np.arange(len(table)), unit="D"))
    with pytest.raises(
        ValueError, match=r"'took' has dtype timedelta64.*total_seconds"
    ):
        VAETransformer(**FAST).fit(lasted)
    twice = pd.concat([table, table[["colour"]]], axis=1)
    with pytest.raises(ValueError, match=r"more than one column named \['colour'\]"):
        VAETransformer(**FAST).fit(twice)
    as_objects = table.assign(price=table["real"].round(0).astype(object))
    with pytest.warns(UserWarning, match=r"'price' holds numbers stored as objects"):
        vae = VAETransformer(**FAST).fit(as_objects)
    assert vae.likelihood_["price"] == "categorical"
    long = pd.DataFrame({"price": list(np.arange(1500.0)), "x": np.arange(1500.0)})
    with pytest.raises(ValueError, match=r"numbers stored as objects: pd.to_numeric"):
        VAETransformer(**FAST).fit(long.astype({"price": object}))
    many = table.assign(ident=[f"id{i}" for i in range(len(table))])
    VAETransformer(**FAST).fit(many)  # 120 levels: within the limit
    huge = pd.DataFrame(
        {"ident": [f"id{i}" for i in range(1500)], "x": 1.0 * np.arange(1500)}
    )
    with pytest.raises(ValueError, match="1500 levels, more than the 1000"):
        VAETransformer(**FAST).fit(huge)
    with pytest.raises(ValueError, match="names columns \\['nope'\\]"):
        VAETransformer(likelihood={"nope": "poisson"}, **FAST).fit(table)
    with pytest.raises(
        ValueError, match="column 'count': likelihood='bernoulli' needs"
    ):
        VAETransformer(likelihood={"count": "bernoulli"}, **FAST).fit(table)
    with pytest.raises(ValueError, match="cannot take likelihood 'poisson'"):
        VAETransformer(likelihood={"city": "poisson"}, **FAST).fit(table)
    with pytest.raises(ValueError, match="dict likelihood names DataFrame columns"):
        VAETransformer(likelihood={"a": "poisson"}, **FAST).fit(np.ones((5, 2)))


def test_wrong_columns_at_transform_are_rejected(fitted, table):
    with pytest.raises(ValueError, match="feature names"):
        fitted.transform(table[table.columns[::-1]])
    with pytest.raises(ValueError, match="pass a DataFrame with the same columns"):
        fitted.transform(np.zeros((2, table.shape[1])))


def test_negative_counts_are_rejected_at_fit_and_transform(fitted, table):
    bad = table.assign(count=table["count"] - 10)
    with pytest.raises(ValueError, match=r"negbin.*non-negative"):
        VAETransformer(likelihood={"count": "negbin"}, **FAST).fit(bad)
    with pytest.raises(ValueError, match=r"column 'count': .*negbin.*non-negative"):
        fitted.transform(bad)


def test_a_mixed_pipeline_feeds_a_classifier(table):
    y = table["colour"].cat.codes.to_numpy() % 2
    features = table.drop(columns="colour")
    pipe = make_pipeline(
        VAETransformer(n_components=2, **FAST), HistGradientBoostingClassifier()
    )
    pipe.fit(features, y)
    assert pipe.predict(features).shape == (len(table),)


def test_numeric_frames_and_arrays_keep_the_gaussian_default(table):
    X = table[["real32"]].assign(other=np.arange(len(table), dtype=float))
    frame_fit = VAETransformer(**FAST).fit(X)
    array_fit = VAETransformer(**FAST).fit(X.to_numpy())
    assert frame_fit.module_.config.likelihood == "gaussian"
    assert frame_fit.likelihood_ == array_fit.likelihood_ == "gaussian"
    np.testing.assert_array_equal(
        frame_fit.transform(X), array_fit.transform(X.to_numpy())
    )


def test_a_mixed_model_saves_and_loads(fitted, table, tmp_path):
    path = fitted.save(tmp_path / "mixed.skvae")
    back = skvae.load(path)
    np.testing.assert_array_equal(back.transform(table), fitted.transform(table))
    pd.testing.assert_frame_equal(
        back.sample(10, random_state=1, mean=False),
        fitted.sample(10, random_state=1, mean=False),
    )
    assert back.likelihood_ == fitted.likelihood_


def test_schema_round_trips_a_table_exactly(table):
    schema = TableSchema.fit(table, "auto")
    decoded = schema.decode(schema.encode(table), index=table.index)
    pd.testing.assert_frame_equal(
        decoded, table, check_exact=False, rtol=1e-12, check_dtype=True
    )
    back = TableSchema.from_dict(schema.to_dict())
    assert back.specs("gaussian") == schema.specs("gaussian")


def test_the_model_learns_the_category_from_the_other_columns(table):
    """Imputing a held-back category beats its most frequent level."""
    rng = np.random.RandomState(1)
    n = 600
    level = rng.randint(0, 3, n)
    frame = pd.DataFrame(
        {
            "a": rng.randn(n) + 3 * level,
            "b": rng.poisson(1 + 4 * level),
            "c": pd.Categorical(np.array(["x", "y", "z"])[level]),
        }
    )
    torch.manual_seed(0)
    imputer = VAEImputer(n_components=1, random_state=0, n_importance_draws=100)
    imputer.fit(frame.iloc[:400])
    test = frame.iloc[400:].copy()
    truth = test["c"].copy()
    test["c"] = np.nan
    test["c"] = test["c"].astype(frame["c"].dtype)
    accuracy = float((imputer.transform(test)["c"] == truth).mean())
    baseline = float((truth == truth.mode()[0]).mean())
    assert accuracy > 0.9 > baseline + 0.4


def test_a_few_distinct_numbers_are_ordered_levels(fitted, table):
    """A numeric column with at most 20 distinct values is modelled on them:
    draws take only those values, and a value between two levels is read as
    the nearer one (an unseen price is no error)."""
    drawn = fitted.sample(500, random_state=0)
    assert set(drawn["rating"]) <= set(table["rating"])
    assert drawn["rating"].dtype == table["rating"].dtype
    rows = table.iloc[:2].assign(rating=[3, 5])
    between = table.iloc[:2].assign(rating=[3.4, 4.6])
    np.testing.assert_array_equal(
        fitted.score_samples_per_feature(between)[:, -1],
        fitted.score_samples_per_feature(rows)[:, -1],
    )


def test_integers_below_a_count_likelihoods_spread_are_real(table):
    """A negative binomial cannot be less dispersed than a Poisson: integers
    whose variance is below their mean (years) are modelled as reals."""
    frame = table[["colour"]].assign(
        year=np.arange(len(table)) % 40 + 1990,
        visits=np.arange(len(table)) % 50,  # variance 208 >= mean 24.5
    )
    vae = VAETransformer(**FAST).fit(frame)
    assert vae.likelihood_["year"] == "gaussian"
    assert vae.likelihood_["visits"] == "negbin"


def _with_point_masses(n=1000):
    """An income that is 0 for 70 % or 20 % of the rows by group, and a rate
    that is exactly 100 for 30 % of them (a point mass at a bound)."""
    rng = np.random.RandomState(0)
    group = rng.randint(0, 2, n)
    zero = rng.rand(n) < np.where(group == 0, 0.7, 0.2)
    return pd.DataFrame(
        {
            "group": pd.Categorical(np.array(["a", "b"])[group]),
            "income": np.where(zero, 0.0, rng.lognormal(3.0, 0.5, n)),
            "rate": np.where(rng.rand(n) < 0.3, 100.0, rng.uniform(50, 100, n)),
        }
    )


def test_a_value_held_by_many_rows_is_a_point_mass():
    """A real column that holds one value in many rows is standardised around
    that value and given the hurdle likelihood: draws put exactly that value
    back, at the data's rate within each group."""
    frame = _with_point_masses()
    schema = TableSchema.fit(frame, "auto")
    assert schema.likelihoods == ["categorical", "hurdle", "hurdle"]
    others = frame["rate"][frame["rate"] != 100.0]
    assert schema.loc[1:].tolist() == [0.0, 100.0]
    assert schema.scale[2] == pytest.approx(others.std(ddof=0))
    vae = VAETransformer(random_state=0).fit(frame)
    drawn = vae.sample(4000, random_state=0)
    for column, value in [("income", 0.0), ("rate", 100.0)]:
        share = (drawn[column] == value).mean()
        assert share == pytest.approx((frame[column] == value).mean(), abs=0.05)
        assert (drawn[column] != value).sum() > 0.5 * len(drawn)
        assert drawn[column].dtype == np.float64
    at_zero = (drawn["income"] == 0).groupby(drawn["group"], observed=True).mean()
    assert at_zero["a"] > 0.55 and at_zero["b"] < 0.35


def test_a_point_mass_with_holes_is_scored_imputed_and_saved(tmp_path):
    """Holes in a point-mass column are left out of its scores and filled by
    the imputer; an entry at the point scores its probability (<= 0 nats);
    both survive a save and a load."""
    frame = _with_point_masses(300)
    frame.loc[::7, "income"] = np.nan
    detector = VAEOutlierDetector(**FAST).fit(frame)
    imputer = VAEImputer(n_importance_draws=20, **FAST).fit(frame)
    assert detector.likelihood_["income"] == imputer.likelihood_["income"] == "hurdle"
    per_feature = detector.score_samples_per_feature(frame)
    assert np.isnan(per_feature[::7, 1]).all()
    assert (per_feature[frame["income"].to_numpy() == 0.0, 1] <= 0.0).all()
    filled = imputer.transform(frame)
    assert not filled["income"].isna().any()
    assert (filled["income"] >= 0).all()  # between 0 and the positive values
    for model, output in [
        (detector, lambda m: m.score_samples_per_feature(frame)),
        (imputer, lambda m: m.transform(frame).to_numpy(dtype=object)),
    ]:
        back = skvae.load(model.save(tmp_path / "point_mass.skvae"))
        np.testing.assert_array_equal(output(back), output(model))


def test_only_a_value_far_above_the_others_is_a_point_mass():
    """The mode of a discrete column (a score, an age) is no point mass: its
    neighbours are nearly as frequent. A value held 5 times as often as any
    other, by at least 5 % of the entries, is."""
    rng = np.random.RandomState(0)
    scores = pd.Series(rng.binomial(60, 0.5, 2000), dtype="Int64")
    assert column_kind(scores) == "real"  # mode 10 %, next 10 %
    assert column_kind(pd.Series(rng.randn(2000))) == "real"
    spiked = np.where(rng.rand(2000) < 0.3, 0.0, rng.randn(2000))
    assert column_kind(pd.Series(spiked)) == "spiked"
    rare = np.where(rng.rand(2000) < 0.02, 7.0, rng.randn(2000))  # 2 %
    assert column_kind(pd.Series(rare)) == "real"
    hours = pd.Series(np.where(rng.rand(2000) < 0.3, 0, rng.poisson(1500, 2000)))
    assert column_kind(hours) == "spiked"  # a count with a point mass too


def test_an_array_keeps_its_point_mass_at_zero():
    """On an array the hurdle's point mass is 0 itself: the imputer scales
    but does not centre it, so its draws fill holes with exact zeros."""
    X = _with_point_masses()[["income"]].to_numpy()
    X = np.c_[X, np.log1p(X) + np.random.RandomState(1).randn(len(X))]
    holes = X.copy()
    holes[::5, 0] = np.nan
    imputer = VAEImputer(
        likelihood="hurdle", sample_posterior=True, n_importance_draws=50, **FAST
    )
    filled = imputer.fit(holes).transform(holes)[::5, 0]
    assert 0.2 < np.mean(filled == 0.0) < 0.7
