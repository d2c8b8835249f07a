// The generating story of one person and one order (docs/generator.md tells it
// in prose): who buys, where they live, their hidden value, and for each order
// its status, dates, items, payments and review.
//
// A person is a pure function of (seed, person index) and an order of
// (seed, order index, person, purchase time), so nothing has to be kept in
// memory between orders. Thread safety: the model is immutable; Simulate
// writes only into the Order it is given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generate/shop.h"
#include "generate/streams.h"

namespace pareto::generate {

struct Person {
  uint64_t index = 0;
  std::string unique_id;
  uint32_t prefix = 0;  // customer zip prefix (index into Geography::prefixes)
  uint16_t state = 0;
  double value = 0;     // hidden propensity to spend (planted signal)
  double repeat_draw = 1;  // uniform: compared with the repeat probability set by the first order
  double extra_draw = 0;   // uniform: how many orders a repeat buyer places beyond two
};

struct OrderItem {
  uint32_t product = 0;
  int64_t price_cents = 0;
  int64_t freight_cents = 0;
  int64_t shipping_limit = 0;
};

struct OrderPayment {
  std::string_view type;
  int sequential = 1;
  int installments = 1;
  int64_t cents = 0;
};

struct OrderReview {
  bool present = false;
  int score = 5;
  std::string title, message;
  int64_t created = 0, answered = 0;
};

inline constexpr int64_t kNoTime = INT64_MIN;

struct Order {
  uint64_t index = 0;
  std::string id, customer_id, review_id;
  std::string_view status;
  int64_t purchase = 0, approved = kNoTime, carrier = kNoTime, delivered = kNoTime, estimated = 0;
  bool late = false;
  bool items_exported = true;  // unavailable orders (and some canceled) have no item rows, as in the real data
  std::vector<OrderItem> items;
  std::vector<OrderPayment> payments;
  OrderReview review;
};

class OrderModel {
 public:
  OrderModel(uint64_t seed, const Shop& shop);

  Person MakePerson(uint64_t index) const;
  // Purchase time of a base-period order (Sep 2016 - Aug 2018, with growth and Black Friday).
  int64_t SamplePurchase(Rng& rng) const;
  // Fills `order` (reusing its buffers) for a purchase at `purchase`.
  void Simulate(uint64_t order_index, const Person& person, int64_t purchase, Order& order) const;

  // The planted repeat behaviour (docs/generator.md): the log-odds, relative to
  // the average person, that a person whose first order was `first` buys again
  // — set by that order's review, its lateness, its first item's category and
  // the person's region.
  double RepeatLogOdds(const Person& person, const Order& first) const;
  // Orders the person places in the base period (1, or 2..17 for a repeat buyer).
  int BaseOrders(const Person& person, const Order& first) const;
  // Mean days from one order to the next (the same for every repeat buyer, as in
  // the real data's gaps; docs/generator.md).
  double MeanRepeatGapDays() const;

  static int64_t BaseStart();  // 2016-09-01 00:00:00
  static int64_t BaseEnd();    // 2018-09-01 00:00:00 (exclusive)

 private:
  void PickItems(Rng& rng, const Person& person, Order& order) const;
  void PickPayments(Rng& rng, const Person& person, Order& order) const;
  void MakeReview(Rng& rng, Order& order) const;

  uint64_t seed_;
  const Shop& shop_;
  CumulativeSampler state_sampler_;
  CumulativeSampler month_sampler_;
  std::vector<std::vector<double>> category_weights_by_value_;  // per value bucket
  std::vector<CumulativeSampler> category_samplers_;
};

}  // namespace pareto::generate
