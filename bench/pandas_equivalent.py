#!/usr/bin/env python3
"""What a data scientist would write with pandas + scikit-learn for the work of a
full `pareto run`, for `make bench` to time beside it (bench/bench_engine.sh runs it
only when `import pandas, sklearn` works; it installs nothing).

The stages follow the Olist notebooks pareto replaces: the nine CSV files read
typed, an order-grain fact (items, payments, customer, delivery times), daily and
monthly revenue, category performance, per-person metrics (RFM, delivery,
reviews), early features of each person's first order, then three model fits on
"does the person buy again": logistic regression, random forest and gradient
boosting, each scored on a held-out quarter of persons (AUC printed).

It does less than pareto: no Delta commits, no expectations, no lineage, no
registry, no out-of-time protocol. Usage: pandas_equivalent.py SOURCE_DIR
"""
import glob
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 7
TS = {
    "orders": ["order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date",
               "order_delivered_customer_date", "order_estimated_delivery_date"],
    "order_items": ["shipping_limit_date"],
    "order_reviews": ["review_creation_date", "review_answer_timestamp"],
}
IDS = {c: str for c in ["order_id", "customer_id", "customer_unique_id", "product_id", "seller_id", "review_id",
                        "customer_zip_code_prefix", "seller_zip_code_prefix", "geolocation_zip_code_prefix"]}


def read(source, name):
    files = sorted(glob.glob(os.path.join(source, f"olist_{name}_dataset*.csv")))
    frames = [pd.read_csv(f, dtype=IDS, parse_dates=TS.get(name, [])) for f in files]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def main(source):
    t0 = time.perf_counter()
    orders = read(source, "orders")
    customers = read(source, "customers")
    items = read(source, "order_items")
    payments = read(source, "order_payments")
    reviews = read(source, "order_reviews")
    products = read(source, "products")
    read(source, "sellers")
    read(source, "geolocation")
    t_load = time.perf_counter()

    # Silver: deduplicated entities and the order-grain fact.
    orders = orders.drop_duplicates("order_id", keep="last")
    customers = customers.drop_duplicates("customer_id", keep="last")
    item_sums = items.groupby("order_id").agg(items=("order_item_id", "count"), item_value=("price", "sum"),
                                              freight=("freight_value", "sum"))
    paid = payments.groupby("order_id").agg(paid=("payment_value", "sum"),
                                            installments=("payment_installments", "max"))
    fact = (orders.merge(customers, on="customer_id", how="left")
            .merge(item_sums, on="order_id", how="left").merge(paid, on="order_id", how="left"))
    fact["purchase_date"] = fact["order_purchase_timestamp"].dt.normalize()
    fact["counts_as_revenue"] = ~fact["order_status"].isin(["canceled", "unavailable"])
    fact["revenue"] = np.where(fact["counts_as_revenue"], fact["paid"].fillna(0.0), 0.0)
    fact["delivery_days"] = (fact["order_delivered_customer_date"] - fact["order_purchase_timestamp"]).dt.days
    fact["delay_days"] = (fact["order_delivered_customer_date"] - fact["order_estimated_delivery_date"]).dt.days
    fact["is_late"] = fact["delay_days"] > 0

    # Gold: revenue by day and month, categories, per-person metrics.
    bought = fact[fact["counts_as_revenue"]]
    bought.groupby("purchase_date").agg(orders=("order_id", "count"), revenue=("revenue", "sum"))
    bought.groupby(bought["purchase_date"].dt.to_period("M")).agg(orders=("order_id", "count"),
                                                                   revenue=("revenue", "sum"))
    lines = items.merge(products[["product_id", "product_category_name"]], on="product_id", how="left")
    lines.groupby("product_category_name").agg(items=("order_item_id", "count"), revenue=("price", "sum"),
                                               orders=("order_id", "nunique"))
    reference = fact["order_purchase_timestamp"].max().normalize() + pd.Timedelta(days=1)
    person = bought.groupby("customer_unique_id").agg(
        purchases=("order_id", "count"), first=("order_purchase_timestamp", "min"),
        last=("order_purchase_timestamp", "max"), spend=("revenue", "sum"),
        avg_delivery_days=("delivery_days", "mean"), late_share=("is_late", "mean"))
    person["recency_days"] = (reference - person["last"]).dt.days
    person["tenure_days"] = (reference - person["first"]).dt.days
    scores = reviews.merge(fact[["order_id", "customer_unique_id"]], on="order_id").groupby(
        "customer_unique_id")["review_score"].mean().rename("avg_review_score")
    person = person.join(scores)

    # Features of each person's first purchase, known when it was made; the label:
    # a second purchase later.
    first = bought.sort_values(["customer_unique_id", "order_purchase_timestamp"]).drop_duplicates(
        "customer_unique_id", keep="first")
    first = first.merge(reviews.drop_duplicates("order_id")[["order_id", "review_score"]], on="order_id",
                        how="left")
    features = pd.DataFrame({
        "customer_unique_id": first["customer_unique_id"],
        "items": first["items"].fillna(0), "item_value": first["item_value"].fillna(0),
        "freight": first["freight"].fillna(0), "installments": first["installments"].fillna(0),
        "delivery_days": first["delivery_days"].fillna(-1), "delay_days": first["delay_days"].fillna(0),
        "review_score": first["review_score"].fillna(0),
        "month": first["order_purchase_timestamp"].dt.month,
        "weekday": first["order_purchase_timestamp"].dt.weekday,
    })
    states = pd.get_dummies(first["customer_state"].fillna("?"), prefix="state", dtype=float)
    x = pd.concat([features.drop(columns="customer_unique_id").reset_index(drop=True),
                   states.reset_index(drop=True)], axis=1).to_numpy(dtype=float)
    y = (features["customer_unique_id"].map(person["purchases"]) > 1).to_numpy()
    t_data = time.perf_counter()

    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(x_train)
    models = {
        "logistic regression": (LogisticRegression(max_iter=1000), True),
        "random forest": (RandomForestClassifier(n_estimators=200, max_depth=8, n_jobs=-1, random_state=SEED), False),
        "gradient boosting": (GradientBoostingClassifier(n_estimators=200, max_depth=3, random_state=SEED), False),
    }
    for name, (model, scaled) in models.items():
        t = time.perf_counter()
        model.fit(scaler.transform(x_train) if scaled else x_train, y_train)
        p = model.predict_proba(scaler.transform(x_test) if scaled else x_test)[:, 1]
        print(f"  {name:<20} AUC {roc_auc_score(y_test, p):.3f}  {time.perf_counter() - t:6.2f} s")
    t_end = time.perf_counter()
    print(f"pandas: load {t_load - t0:.2f} s, data stages {t_data - t_load:.2f} s, three fits "
          f"{t_end - t_data:.2f} s, total {t_end - t0:.2f} s ({len(fact)} orders, {len(person)} buyers)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: pandas_equivalent.py SOURCE_DIR")
    main(sys.argv[1])
