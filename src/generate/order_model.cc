#include "generate/order_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "generate/civil_time.h"
#include "generate/tables.h"

namespace pareto::generate {
namespace {

constexpr int kMaxOrders = 17;
// Log-odds of buying again for a person whose every effect is zero: set so that
// about 3.1% of persons have more than one order, as in the real data.
constexpr double kRepeatIntercept = -4.37;
// Planted repeat effects (log-odds), the truth a repeat model should recover.
// Review score 1..5 of the first order; no review at all counts as kNoReviewEffect.
constexpr double kRepeatByReview[5] = {-2.4, -1.6, -0.6, 0.2, 0.8};
constexpr double kNoReviewEffect = -1.0;
constexpr double kLateEffect = -0.8;  // first order delivered after its estimate (on top of its review)
// Categories bought again and again (household, beauty, pets, babies, food) and
// one-off purchases (furniture, big appliances, computers, phones, consoles).
constexpr std::string_view kReturnCategories[] = {"cama_mesa_banho", "beleza_saude", "perfumaria", "pet_shop",
                                                  "bebes", "fraldas_higiene", "alimentos", "alimentos_bebidas",
                                                  "bebidas"};
constexpr std::string_view kOneOffCategories[] = {"moveis_escritorio", "moveis_sala", "moveis_quarto",
                                                  "eletrodomesticos_2", "climatizacao", "pcs", "eletroportateis",
                                                  "portateis_casa_forno_e_cafe", "consoles_games", "telefonia"};
constexpr double kReturnCategoryEffect = 1.4;
constexpr double kOneOffCategoryEffect = -1.2;
// Region: São Paulo (fast delivery, dense offer) returns more; the North and North-East less.
constexpr double kSaoPauloEffect = 0.6;
constexpr std::string_view kFarStates[] = {"AC", "AM", "AP", "PA", "RO", "RR", "TO", "AL", "BA",
                                           "CE", "MA", "PB", "PE", "PI", "RN", "SE"};
constexpr double kFarStateEffect = -0.6;
// Mean days from one order to the next, the same for every repeat buyer: the
// real subset's gaps between purchase days have a median of 51 and a mean of 86
// days (interquartile 19-118); an exponential of mean 90, cut at the period's
// end, gives 50 / 71 (22-99) at scale 1. (It was 60 · exp(-0.25 · effects):
// 25 / 36 days, too short, and likelier returners returned sooner, which cancelled
// the planted effects among persons who had not come back for a few months.)
constexpr double kMeanRepeatGapDays = 90;
constexpr int kValueBuckets = 9;          // category preferences by hidden value, -2 .. +2
constexpr double kMultiItemShare = 0.0995;

// Hour-of-day profile of purchases (few at night, most 10h-22h).
constexpr double kHourWeights[24] = {0.5, 0.25, 0.12, 0.07, 0.05, 0.05, 0.1, 0.3, 0.9, 1.6, 2.0, 2.1,
                                     2.0, 2.1, 2.1, 2.0, 2.0, 1.9, 1.8, 1.85, 2.0, 2.0, 1.9, 1.4};
// Items in a multi-item order: 2..21 (real: ~76% of them have two).
constexpr double kExtraItems[] = {0.764, 0.134, 0.050, 0.019, 0.019, 0.004, 0.003, 0.002, 0.0015, 0.001,
                                  0.0008, 0.0006, 0.0005, 0.0004, 0.0003, 0.0002, 0.0002, 0.0001, 0.0001, 0.0001};

// Status mix of the real export.
struct StatusShare {
  std::string_view status;
  double share;
};
constexpr StatusShare kStatuses[] = {
    {"delivered", 0.97020}, {"shipped", 0.01113},    {"canceled", 0.00628}, {"unavailable", 0.00613},
    {"invoiced", 0.00316},  {"processing", 0.00302}, {"created", 0.00005},  {"approved", 0.00003},
};

// Review scores (1..5) by what happened; on-time is solved so the mix is the real one.
constexpr double kScoresOnTime[5] = {0.0678, 0.0262, 0.0781, 0.2035, 0.6244};
constexpr double kScoresLate[5] = {0.47, 0.08, 0.12, 0.12, 0.21};
constexpr double kScoresUndelivered[5] = {0.60, 0.08, 0.10, 0.07, 0.15};
// Chance of a written message by score (mix: ~40% of reviews).
constexpr double kMessageByScore[5] = {0.75, 0.60, 0.45, 0.30, 0.35};

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

int64_t Cents(double brl) { return static_cast<int64_t>(std::llround(brl * 100.0)); }

// Credit-card installments grow with the amount paid (real: ~1.7 below 50 BRL, ~7 above 500).
int Installments(Rng& rng, double amount, double value) {
  const double mean = std::clamp(-4.6 + 1.68 * std::log(std::max(amount, 1.0)), 1.0, 12.0) * std::exp(0.12 * value);
  if (rng.Bernoulli(std::clamp(1.0 - 0.2 * mean, 0.05, 0.9))) return 1;
  const double x = rng.LogNormal(mean * 1.15, 0.5);
  // Shops offer round plans: 8 and 10 installments are far more common than 7, 9 or 11+.
  if (x < 6.5) return std::max(2, static_cast<int>(std::lround(x)));
  if (x < 7.5) return 7;
  if (x < 9.5) return rng.Bernoulli(0.85) ? 8 : 9;
  if (x < 16 || rng.Bernoulli(0.9)) return 10;
  constexpr int kLong[] = {12, 15, 18, 20, 24};
  return kLong[std::min<size_t>(rng.Below(5), 4)];
}

}  // namespace

int64_t OrderModel::BaseStart() { return DaysFromCivil(2016, 9, 1) * kDay; }
int64_t OrderModel::BaseEnd() { return DaysFromCivil(2018, 9, 1) * kDay; }

OrderModel::OrderModel(uint64_t seed, const Shop& shop) : seed_(seed), shop_(shop) {
  std::vector<double> w;
  for (const State& s : States()) w.push_back(s.customer_share);
  state_sampler_ = CumulativeSampler(w);
  w.clear();
  for (const MonthVolume& m : MonthVolumes()) w.push_back(m.orders);
  month_sampler_ = CumulativeSampler(w);
  const auto cats = Categories();
  for (int b = 0; b < kValueBuckets; ++b) {
    const double v = -2.0 + 0.5 * b;
    std::vector<double> cw(cats.size());
    for (size_t k = 0; k < cats.size(); ++k)
      cw[k] = shop.by_category[k].empty() ? 0.0 : cats[k].products * std::exp(1.2 * cats[k].value_effect * v);
    category_samplers_.emplace_back(cw);
  }
}

Person OrderModel::MakePerson(uint64_t index) const {
  Rng r = StreamFor(seed_, Kind::kPerson, index);
  Person p;
  p.index = index;
  p.unique_id = HexId(seed_, Kind::kPerson, index);
  p.state = static_cast<uint16_t>(state_sampler_.Sample(r));
  p.prefix = shop_.geo.PickPrefix(r, p.state);
  p.value = r.Normal() + States()[p.state].value_effect;
  p.repeat_draw = r.Uniform();
  p.extra_draw = r.Uniform();
  return p;
}

double OrderModel::RepeatLogOdds(const Person& person, const Order& first) const {
  double s = first.review.present ? kRepeatByReview[first.review.score - 1] : kNoReviewEffect;
  if (first.late) s += kLateEffect;
  if (!first.items.empty()) {
    const std::string_view category = Categories()[shop_.products[first.items.front().product].category].name;
    if (std::ranges::find(kReturnCategories, category) != std::end(kReturnCategories)) s += kReturnCategoryEffect;
    if (std::ranges::find(kOneOffCategories, category) != std::end(kOneOffCategories)) s += kOneOffCategoryEffect;
  }
  const std::string_view state = States()[person.state].code;
  if (state == "SP") s += kSaoPauloEffect;
  if (std::ranges::find(kFarStates, state) != std::end(kFarStates)) s += kFarStateEffect;
  return s;
}

int OrderModel::BaseOrders(const Person& person, const Order& first) const {
  if (person.repeat_draw >= Sigmoid(kRepeatIntercept + RepeatLogOdds(person, first))) return 1;
  // Extra orders beyond two follow a power law: P(extra >= k) = (1+k)^-3.3; max 17 in all.
  const double extra = std::pow(1.0 - person.extra_draw, -1.0 / 3.3) - 1.0;
  return std::min(kMaxOrders, 2 + static_cast<int>(extra));
}

double OrderModel::MeanRepeatGapDays() const { return kMeanRepeatGapDays; }

int64_t OrderModel::SamplePurchase(Rng& rng) const {
  const MonthVolume& m = MonthVolumes()[month_sampler_.Sample(rng)];
  const int days = DaysInMonth(m.year, static_cast<unsigned>(m.month));
  std::array<double, 31> dw{};
  for (int d = 0; d < days; ++d) dw[d] = 1.0;
  if (m.year == 2017 && m.month == 11) {  // Black Friday, 24 Nov 2017, and the weekend after
    dw[23] = 6.0;
    dw[24] = 2.2;
    dw[25] = 1.8;
    dw[26] = 1.6;
  }
  const size_t day = rng.Categorical(std::span<const double>(dw.data(), static_cast<size_t>(days)));
  const size_t hour = rng.Categorical(kHourWeights);
  return DaysFromCivil(m.year, static_cast<unsigned>(m.month), static_cast<unsigned>(day + 1)) * kDay +
         static_cast<int64_t>(hour) * 3600 + rng.Between(0, 3599);
}

void OrderModel::PickItems(Rng& rng, const Person& person, Order& order) const {
  int n = 1;
  if (rng.Bernoulli(kMultiItemShare * std::exp(0.2 * person.value - 0.02))) n = 2 + static_cast<int>(rng.Categorical(kExtraItems));
  const int bucket = std::clamp(static_cast<int>(std::lround((person.value + 2.0) * 2.0)), 0, kValueBuckets - 1);
  const auto& sampler = category_samplers_[static_cast<size_t>(bucket)];
  auto pick_product = [&] {
    const auto& list = shop_.by_category[sampler.Sample(rng)];
    // Popular products sell more (Zipf half the time); a high-value person tends to take the
    // pricier (and so heavier) of two candidates.
    auto candidate = [&] { return list[rng.Bernoulli(0.5) ? rng.ZipfRank(list.size()) : rng.Below(list.size())]; };
    const uint32_t a = candidate();
    const uint32_t b = candidate();
    const bool a_pricier = shop_.products[a].price_cents >= shop_.products[b].price_cents;
    return rng.Bernoulli(Sigmoid(1.0 * person.value)) == a_pricier ? a : b;
  };
  const bool same_product = rng.Bernoulli(0.55);
  const uint32_t first = pick_product();
  const State& buyer = States()[person.state];
  const int64_t ready = order.approved != kNoTime ? order.approved : order.purchase;
  order.items.clear();
  for (int i = 0; i < n; ++i) {
    const uint32_t pid = (i == 0 || same_product) ? first : pick_product();
    const Product& p = shop_.products[pid];
    const double kg = p.weight_g / 1000.0;
    const bool same_state = shop_.geo.prefixes[shop_.sellers[p.seller].prefix].state == person.state;
    const double distance = same_state ? 0.8 : 0.55 + 0.045 * buyer.delivery_days;
    double freight = (11.5 + 4.4 * std::pow(kg, 0.8)) * distance * rng.LogNormal(1.0, 0.25) +
                     0.02 * static_cast<double>(p.price_cents) / 100.0;
    if (rng.Bernoulli(0.003)) freight = 0;  // free shipping now and then
    OrderItem item;
    item.product = pid;
    item.price_cents = p.price_cents;
    item.freight_cents = Cents(freight);
    item.shipping_limit = ready + 6 * kDay + rng.Between(0, 3 * kDay);
    order.items.push_back(item);
  }
}

void OrderModel::PickPayments(Rng& rng, const Person& person, Order& order) const {
  int64_t total = 0;
  for (const OrderItem& it : order.items) total += it.price_cents + it.freight_cents;
  order.payments.clear();
  const double u = rng.Uniform();
  auto vouchers = [&](int64_t amount, int first_seq) {
    const int n = 1 + rng.Geometric(0.7);
    int64_t left = amount;
    for (int i = 0; i < n; ++i) {
      const int64_t part = i + 1 == n ? left : std::min(left, static_cast<int64_t>(left * rng.Uniform(0.2, 0.7)));
      order.payments.push_back({"voucher", first_seq + i, 1, part});
      left -= part;
    }
  };
  if (order.status == "canceled" && rng.Bernoulli(0.005)) {
    order.payments.push_back({"not_defined", 1, 1, 0});
    order.items_exported = false;  // as in the real data: nothing was sold
  } else if (u < 0.0163) {
    vouchers(total, 1);
  } else if (u < 0.0163 + 0.0154) {
    order.payments.push_back({"debit_card", 1, 1, total});
  } else if (u < 0.0317 + 0.195 * std::exp(-0.1 * person.value)) {
    order.payments.push_back({"boleto", 1, 1, total});
  } else if (rng.Bernoulli(0.03) && total > 2000) {
    // Part paid with vouchers, the rest by card (card first, as the real rows are numbered).
    const int64_t by_voucher = static_cast<int64_t>(total * rng.Uniform(0.05, 0.6));
    const int64_t by_card = total - by_voucher;
    order.payments.push_back({"credit_card", 1, Installments(rng, by_card / 100.0, person.value), by_card});
    vouchers(by_voucher, 2);
  } else {
    order.payments.push_back({"credit_card", 1, Installments(rng, total / 100.0, person.value), total});
  }
}

void OrderModel::MakeReview(Rng& rng, Order& order) const {
  OrderReview& rv = order.review;
  rv.present = rng.Bernoulli(0.9923);
  const double* dist = order.delivered == kNoTime ? kScoresUndelivered : order.late ? kScoresLate : kScoresOnTime;
  rv.score = 1 + static_cast<int>(rng.Categorical(std::span<const double>(dist, 5)));
  const int band = rv.score <= 2 ? 0 : rv.score == 3 ? 1 : 2;
  rv.title.clear();
  rv.message.clear();
  if (rng.Bernoulli(0.117)) {
    const auto titles = ReviewTitles(band);
    rv.title = titles[rng.Below(titles.size())];
  }
  if (rng.Bernoulli(kMessageByScore[rv.score - 1])) {
    const auto msgs = ReviewMessages(band);
    rv.message = msgs[rng.Below(msgs.size())];
    if (rng.Bernoulli(0.1)) {  // some messages span lines, with the release's CRLF inside
      rv.message += rng.Bernoulli(0.5) ? "\r\n" : ".\r\n";
      rv.message += msgs[rng.Below(msgs.size())];
    }
  }
  const int64_t base = order.delivered != kNoTime ? order.delivered : order.estimated;
  rv.created = FloorDay(base) + kDay;
  rv.answered = rv.created + 3 * 3600 + static_cast<int64_t>(rng.Exponential(2.5 * kDay));
}

void OrderModel::Simulate(uint64_t order_index, const Person& person, int64_t purchase, Order& o) const {
  Rng r = StreamFor(seed_, Kind::kOrder, order_index);
  o.index = order_index;
  o.id = HexId(seed_, Kind::kOrder, order_index);
  o.customer_id = HexId(seed_, Kind::kCustomer, order_index);
  o.review_id = HexId(seed_, Kind::kReview, order_index);
  o.purchase = purchase;
  {
    double x = r.Uniform();
    o.status = kStatuses[0].status;
    for (const StatusShare& s : kStatuses) {
      if (x < s.share) {
        o.status = s.status;
        break;
      }
      x -= s.share;
    }
  }
  o.items_exported = o.status != "unavailable" && o.status != "created" && !(o.status == "canceled" && r.Bernoulli(0.25));

  // Delivery: the state's median days, slower in the Black Friday to Carnival rush; the
  // estimate is 2.3 times the median, so about 8% arrive late.
  const State& st = States()[person.state];
  const bool rush = purchase >= DaysFromCivil(2017, 11, 20) * kDay && purchase < DaysFromCivil(2018, 4, 1) * kDay;
  const double median_days = st.delivery_days;
  const double days = r.LogNormal(median_days * (rush ? 1.2 : 1.0), 0.55);
  const double est_days = std::max(3.0, median_days * 2.3 + r.Normal(0, 2.5));
  o.estimated = FloorDay(purchase + static_cast<int64_t>(est_days * kDay)) + kDay;

  const bool boleto_like = r.Bernoulli(0.2);  // boleto payments clear a day or two later
  const int64_t approved = purchase + static_cast<int64_t>(boleto_like ? r.LogNormal(1.2 * kDay, 0.5)
                                                                       : r.LogNormal(900, 1.2));
  const int64_t carrier = approved + static_cast<int64_t>(r.LogNormal(2.0 * kDay, 0.7));
  const int64_t delivered = std::max(carrier + 4 * 3600, purchase + static_cast<int64_t>(days * kDay));
  o.approved = o.carrier = o.delivered = kNoTime;
  if (o.status != "created") o.approved = approved;
  if (o.status == "canceled" && r.Bernoulli(0.1)) o.approved = kNoTime;
  if (o.status == "delivered" || o.status == "shipped" || (o.status == "canceled" && r.Bernoulli(0.1)))
    o.carrier = carrier;
  if (o.status == "delivered") o.delivered = delivered;
  o.late = o.delivered != kNoTime && o.delivered > o.estimated;

  PickItems(r, person, o);
  PickPayments(r, person, o);
  MakeReview(r, o);
}

}  // namespace pareto::generate
