#include "generate/generator.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "generate/shop.h"
#include "generate/civil_time.h"
#include "generate/csv_writer.h"
#include "generate/dirty.h"
#include "generate/order_model.h"
#include "generate/tables.h"

namespace pareto::generate {
namespace {

constexpr double kPersonsAtScale1 = 96096;
constexpr double kGeolocationRowsAtScale1 = 1000163;
constexpr double kDropOrdersPerMonth = 6600;  // the real export's level in mid 2018
constexpr double kDropReturningShare = 0.03;

constexpr std::string_view kOrdersHeader[] = {
    "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
    "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date"};
constexpr std::string_view kCustomersHeader[] = {"customer_id", "customer_unique_id", "customer_zip_code_prefix",
                                                 "customer_city", "customer_state"};
constexpr std::string_view kItemsHeader[] = {"order_id", "order_item_id", "product_id", "seller_id",
                                             "shipping_limit_date", "price", "freight_value"};
constexpr std::string_view kPaymentsHeader[] = {"order_id", "payment_sequential", "payment_type",
                                                "payment_installments", "payment_value"};
constexpr std::string_view kReviewsHeader[] = {"review_id", "order_id", "review_score", "review_comment_title",
                                               "review_comment_message", "review_creation_date",
                                               "review_answer_timestamp"};
constexpr std::string_view kProductsHeader[] = {
    "product_id", "product_category_name", "product_name_lenght", "product_description_lenght",
    "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm"};
constexpr std::string_view kSellersHeader[] = {"seller_id", "seller_zip_code_prefix", "seller_city",
                                               "seller_state"};
constexpr std::string_view kGeolocationHeader[] = {"geolocation_zip_code_prefix", "geolocation_lat",
                                                   "geolocation_lng", "geolocation_city", "geolocation_state"};
constexpr std::string_view kTranslationHeader[] = {"product_category_name", "product_category_name_english"};

// Far-away points the real geolocation file also has (its few rows outside Brazil).
constexpr double kStrayPoints[][2] = {{41.61, -8.62}, {42.18, 13.08}, {38.72, -9.14}, {28.01, -15.41}, {-21.2, -4.9}};

std::string Money(int64_t cents) {
  std::string s = std::to_string(cents / 100) + ".";
  const int64_t c = cents % 100;
  s.push_back(static_cast<char>('0' + c / 10));
  s.push_back(static_cast<char>('0' + c % 10));
  return s;
}

std::string Zip(int zip) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%05d", zip);
  return buf;
}

std::string Coordinate(double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string Time(int64_t t) { return t == kNoTime ? std::string() : FormatTimestamp(t); }

std::string SuffixedName(std::string_view file, std::string_view suffix) {
  if (suffix.empty()) return std::string(file);
  std::string name(file);
  name.insert(name.size() - 4, suffix);  // before ".csv"
  return name;
}

// Quote decisions get their own stream per file, so they never shift the data's draws.
uint64_t QuoteSeed(uint64_t seed, std::string_view name) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return Mix(seed, static_cast<uint64_t>(Kind::kQuote), h);
}

class Files {
 public:
  Files(std::string dir, uint64_t seed, DirtyInjector* dirty) : dir_(std::move(dir)), seed_(seed), dirty_(dirty) {}

  StatusOr<CsvWriter*> Open(const std::string& name, std::span<const std::string_view> header, CsvFormat format = {}) {
    PARETO_ASSIGN_OR_RETURN(CsvWriter w, CsvWriter::Open(dir_ + "/" + name, header, format, QuoteSeed(seed_, name)));
    writers_.push_back(std::make_unique<CsvWriter>(std::move(w)));
    return writers_.back().get();
  }

  void Write(CsvWriter& w, const FileFaults* spec, std::vector<Field>& row) {
    if (dirty_ != nullptr && spec != nullptr) {
      dirty_->Write(w, *spec, row);
    } else {
      w.WriteRow(row);
    }
  }

  Status CloseAll(GenerateReport& report) {
    for (auto& w : writers_) {
      PARETO_RETURN_IF_ERROR(w->Close());
      report.files.push_back({w->path(), w->rows(), w->bytes()});
    }
    writers_.clear();
    return OkStatus();
  }

  DirtyInjector* dirty() { return dirty_; }

 private:
  std::string dir_;
  uint64_t seed_;
  DirtyInjector* dirty_;
  std::vector<std::unique_ptr<CsvWriter>> writers_;
};

FileFaults Spec(std::string file, std::span<const std::string_view> header, std::vector<size_t> key, size_t required,
                int typed, std::vector<std::string_view> bad) {
  return {std::move(file), {header.begin(), header.end()}, std::move(key), required, typed, std::move(bad)};
}

// The five files every order writes to (base files or one month's drop).
class OrderFiles {
 public:
  static StatusOr<OrderFiles> Open(Files& files, std::string_view suffix) {
    OrderFiles o;
    o.files_ = &files;
    o.suffix_ = suffix;
    PARETO_ASSIGN_OR_RETURN(o.orders_, files.Open(SuffixedName(kOrdersFile, suffix), kOrdersHeader));
    PARETO_ASSIGN_OR_RETURN(o.customers_, files.Open(SuffixedName(kCustomersFile, suffix), kCustomersHeader));
    PARETO_ASSIGN_OR_RETURN(o.items_, files.Open(SuffixedName(kItemsFile, suffix), kItemsHeader));
    PARETO_ASSIGN_OR_RETURN(o.payments_, files.Open(SuffixedName(kPaymentsFile, suffix), kPaymentsHeader));
    CsvFormat reviews_format;
    reviews_format.newline = "\r\n";
    reviews_format.id_quote_rate = 0.955;
    PARETO_ASSIGN_OR_RETURN(o.reviews_, files.Open(SuffixedName(kReviewsFile, suffix), kReviewsHeader, reviews_format));
    if (files.dirty() != nullptr) {
      PARETO_ASSIGN_OR_RETURN(o.updates_, files.Open(SuffixedName(kOrderUpdatesFile, suffix), kOrdersHeader));
    }
    o.specs_[0] = Spec(SuffixedName(kOrdersFile, suffix), kOrdersHeader, {0}, 1, 3,
                       {"not a date", "2017-02-30 25:61:00", "yesterday"});
    o.specs_[1] = Spec(SuffixedName(kCustomersFile, suffix), kCustomersHeader, {0}, 1, -1, {});
    o.specs_[2] = Spec(SuffixedName(kItemsFile, suffix), kItemsHeader, {0, 1}, 2, 5, {"12,90", "abc", "R$ 59.90"});
    o.specs_[3] = Spec(SuffixedName(kPaymentsFile, suffix), kPaymentsHeader, {0, 1}, 0, 4, {"12,50", "R$ 10.00", "n/a"});
    o.specs_[4] = Spec(SuffixedName(kReviewsFile, suffix), kReviewsHeader, {0, 1}, 1, 2, {"five", "4 stars"});
    return o;
  }

  void Emit(const Order& o, const Person& person, const Shop& shop, uint64_t seed) {
    const ZipPrefix& zp = shop.geo.prefixes[person.prefix];
    const std::string_view state = States()[person.state].code;
    DirtyInjector* dirty = files_->dirty();

    OrderRow(o, o.status, o.approved, o.carrier, o.delivered);
    const bool open_status = o.status != "delivered" && o.status != "canceled" && o.status != "unavailable";
    if (dirty != nullptr && open_status && dirty->rng().Bernoulli(std::min(1.0, 10.0 * dirty->rate()))) {
      // The order closes later: its row now, the delivered row in the updates file.
      orders_->WriteRow(row_);
      const int64_t approved = o.approved != kNoTime ? o.approved : o.purchase + 3600;
      const int64_t carrier = o.carrier != kNoTime ? o.carrier : approved + 2 * kDay;
      const int64_t delivered = std::max(carrier + 4 * 3600, o.purchase + (o.estimated - o.purchase) * 3 / 5);
      OrderRow(o, "delivered", approved, carrier, delivered);
      updates_->WriteRow(row_);
      dirty->Record("status_update", SuffixedName(kOrderUpdatesFile, suffix_), updates_->rows(), o.id, "order_status",
                    "delivered");
    } else {
      files_->Write(*orders_, &specs_[0], row_);
    }

    Set(5);
    row_[0] = {o.customer_id, FieldStyle::kId};
    row_[1] = {person.unique_id, FieldStyle::kId};
    row_[2] = {Zip(zp.zip), FieldStyle::kQuoted};
    row_[3] = {shop.geo.Town(zp, false), FieldStyle::kText};
    row_[4] = {std::string(state), FieldStyle::kRaw};
    files_->Write(*customers_, &specs_[1], row_);

    if (o.items_exported) {
      for (size_t i = 0; i < o.items.size(); ++i) {
        const OrderItem& it = o.items[i];
        const Product& p = shop.products[it.product];
        Set(7);
        row_[0] = {o.id, FieldStyle::kQuoted};
        row_[1] = {std::to_string(i + 1), FieldStyle::kRaw};
        row_[2] = {p.id, FieldStyle::kId};
        row_[3] = {shop.sellers[p.seller].id, FieldStyle::kId};
        row_[4] = {Time(it.shipping_limit), FieldStyle::kRaw};
        row_[5] = {Money(it.price_cents), FieldStyle::kRaw};
        row_[6] = {Money(it.freight_cents), FieldStyle::kRaw};
        files_->Write(*items_, &specs_[2], row_);
      }
    }

    for (const OrderPayment& pay : o.payments) {
      Set(5);
      row_[0] = {o.id, FieldStyle::kId};
      row_[1] = {std::to_string(pay.sequential), FieldStyle::kRaw};
      row_[2] = {std::string(pay.type), FieldStyle::kRaw};
      row_[3] = {std::to_string(pay.installments), FieldStyle::kRaw};
      row_[4] = {Money(pay.cents), FieldStyle::kRaw};
      files_->Write(*payments_, &specs_[3], row_);
    }

    if (o.review.present) {
      ReviewRow(o.review_id, o.id, o.review);
      files_->Write(*reviews_, &specs_[4], row_);
    }
    if (dirty != nullptr && dirty->rng().Bernoulli(dirty->rate() / 4)) {
      // A review for an order the export does not have.
      const uint64_t n = ++unknown_reviews_;
      const std::string order_id = HexId(seed, Kind::kDirty, o.index, 0x6f72 + n);
      ReviewRow(HexId(seed, Kind::kDirty, o.index, 0x7276 + n), order_id, o.review);
      reviews_->WriteRow(row_);
      dirty->Record("unknown_order", specs_[4].file, reviews_->rows(), order_id, "order_id", order_id);
    }
  }

 private:
  void Set(size_t n) { row_.resize(n); }

  void OrderRow(const Order& o, std::string_view status, int64_t approved, int64_t carrier, int64_t delivered) {
    Set(8);
    row_[0] = {o.id, FieldStyle::kId};
    row_[1] = {o.customer_id, FieldStyle::kId};
    row_[2] = {std::string(status), FieldStyle::kRaw};
    row_[3] = {Time(o.purchase), FieldStyle::kRaw};
    row_[4] = {Time(approved), FieldStyle::kRaw};
    row_[5] = {Time(carrier), FieldStyle::kRaw};
    row_[6] = {Time(delivered), FieldStyle::kRaw};
    row_[7] = {Time(o.estimated), FieldStyle::kRaw};
  }

  void ReviewRow(const std::string& review_id, const std::string& order_id, const OrderReview& rv) {
    Set(7);
    row_[0] = {review_id, FieldStyle::kId};
    row_[1] = {order_id, FieldStyle::kId};
    row_[2] = {std::to_string(rv.score), FieldStyle::kRaw};
    row_[3] = {rv.title, FieldStyle::kText};
    row_[4] = {rv.message, FieldStyle::kText};
    row_[5] = {Time(rv.created), FieldStyle::kRaw};
    row_[6] = {Time(rv.answered), FieldStyle::kRaw};
  }

  Files* files_ = nullptr;
  std::string_view suffix_;
  CsvWriter* orders_ = nullptr;
  CsvWriter* customers_ = nullptr;
  CsvWriter* items_ = nullptr;
  CsvWriter* payments_ = nullptr;
  CsvWriter* reviews_ = nullptr;
  CsvWriter* updates_ = nullptr;
  FileFaults specs_[5];
  std::vector<Field> row_;
  uint64_t unknown_reviews_ = 0;
};

Status WriteShopFiles(Files& files, const Shop& shop, uint64_t seed, double scale) {
  std::vector<Field> row;
  const auto cats = Categories();
  const auto states = States();
  {
    PARETO_ASSIGN_OR_RETURN(CsvWriter * w, files.Open(kProductsFile, kProductsHeader));
    const FileFaults spec = Spec(kProductsFile, kProductsHeader, {0}, 0, 5, {"heavy", "1,5kg"});
    for (const Product& p : shop.products) {
      const bool has_category = !cats[p.category].name.empty();
      auto num = [](int v) { return Field{std::to_string(v), FieldStyle::kRaw}; };
      const Field none{"", FieldStyle::kRaw};
      row = {{p.id, FieldStyle::kId},
             {std::string(cats[p.category].name), FieldStyle::kText},
             has_category ? num(p.name_len) : none,
             has_category ? num(p.desc_len) : none,
             has_category ? num(p.photos) : none,
             p.no_dimensions ? none : num(p.weight_g),
             p.no_dimensions ? none : num(p.length_cm),
             p.no_dimensions ? none : num(p.height_cm),
             p.no_dimensions ? none : num(p.width_cm)};
      files.Write(*w, &spec, row);
    }
  }
  {
    PARETO_ASSIGN_OR_RETURN(CsvWriter * w, files.Open(kSellersFile, kSellersHeader));
    const FileFaults spec = Spec(kSellersFile, kSellersHeader, {0}, 0, -1, {});
    for (const Seller& s : shop.sellers) {
      const ZipPrefix& zp = shop.geo.prefixes[s.prefix];
      row = {{s.id, FieldStyle::kId},
             {Zip(zp.zip), FieldStyle::kQuoted},
             {shop.geo.Town(zp, false), FieldStyle::kText},
             {std::string(states[zp.state].code), FieldStyle::kRaw}};
      files.Write(*w, &spec, row);
    }
  }
  {
    PARETO_ASSIGN_OR_RETURN(CsvWriter * w, files.Open(kGeolocationFile, kGeolocationHeader));
    const double mean_rows = kGeolocationRowsAtScale1 / static_cast<double>(shop.geo.prefixes.size()) *
                             std::min(1.0, scale);
    for (const ZipPrefix& zp : shop.geo.prefixes) {
      Rng r = StreamFor(seed, Kind::kGeo, 3000000 + static_cast<uint64_t>(zp.zip));
      const int n = 1 + static_cast<int>(r.Exponential(std::max(0.0, mean_rows - 1.0)));
      for (int i = 0; i < n; ++i) {
        double lat = zp.lat + r.Normal(0, 0.012);
        double lng = zp.lng + r.Normal(0, 0.012);
        if (r.Bernoulli(3e-5)) {
          const auto& far = kStrayPoints[r.Below(std::size(kStrayPoints))];
          lat = far[0] + r.Normal(0, 0.05);
          lng = far[1] + r.Normal(0, 0.05);
        }
        row = {{Zip(zp.zip), FieldStyle::kQuoted},
               {Coordinate(lat), FieldStyle::kRaw},
               {Coordinate(lng), FieldStyle::kRaw},
               {shop.geo.Town(zp, r.Bernoulli(0.1)), FieldStyle::kText},
               {std::string(states[zp.state].code), FieldStyle::kRaw}};
        w->WriteRow(row);
      }
    }
  }
  {
    CsvFormat f;
    f.newline = "\r\n";
    f.bom = true;
    f.quote_header = false;
    PARETO_ASSIGN_OR_RETURN(CsvWriter * w, files.Open(kTranslationFile, kTranslationHeader, f));
    for (const Category* c : TranslationOrder()) {
      row = {{std::string(c->name), FieldStyle::kRaw}, {std::string(c->english), FieldStyle::kRaw}};
      w->WriteRow(row);
    }
  }
  return OkStatus();
}

Status GenerateBase(const GenerateOptions& opt, const Shop& shop, const OrderModel& model, Files& files,
                    GenerateReport& report) {
  PARETO_RETURN_IF_ERROR(WriteShopFiles(files, shop, opt.seed, opt.scale));
  PARETO_ASSIGN_OR_RETURN(OrderFiles out, OrderFiles::Open(files, ""));
  const auto persons = static_cast<uint64_t>(std::max(1.0, std::round(kPersonsAtScale1 * opt.scale)));
  const int64_t end = OrderModel::BaseEnd();
  Order order;
  uint64_t order_index = 0;
  for (uint64_t i = 0; i < persons; ++i) {
    const Person person = model.MakePerson(i);
    Rng timing = StreamFor(Mix(opt.seed, 0x74696d65), Kind::kPerson, i);
    int64_t t = model.SamplePurchase(timing);
    // Whether the person comes back depends on their first order.
    model.Simulate(order_index++, person, t, order);
    const int orders = model.BaseOrders(person, order);
    const double gap_days = model.MeanRepeatGapDays();
    out.Emit(order, person, shop, opt.seed);
    for (int k = 1; k < orders; ++k) {
      // A repeat purchase some weeks later; one that would fall after the period
      // is not in the export (squeezing it inside would make late first buyers
      // return faster than early ones, a drift no real shop has).
      const int64_t next = t + 3600 + static_cast<int64_t>(timing.Exponential(gap_days * kDay));
      if (next >= end) break;
      t = next;
      model.Simulate(order_index++, person, t, order);
      out.Emit(order, person, shop, opt.seed);
    }
  }
  report.persons = persons;
  report.orders = order_index;
  return OkStatus();
}

// Months since the base period's end (2018-09 is 0).
int DropIndex(int year, int month) { return (year * 12 + month - 1) - (2018 * 12 + 8); }

uint64_t DropOrders(double scale, int q, int month) {
  const double season = month == 11 ? 1.3 : month == 12 ? 1.1 : 1.0;
  return static_cast<uint64_t>(std::llround(kDropOrdersPerMonth * scale * std::pow(1.01, q) * season));
}

Status GenerateDrops(const GenerateOptions& opt, const OrderModel& model, const Shop& shop, Files& files,
                     GenerateReport& report) {
  const int first = DropIndex(opt.start->year, opt.start->month);
  if (first < 0) return InvalidArgument("drops continue after the base period (Sep 2016 - Aug 2018): use --start 2018-09 or later");
  const auto base_persons = static_cast<uint64_t>(std::max(1.0, std::round(kPersonsAtScale1 * opt.scale)));
  auto month_of = [](int q) { return std::pair<int, int>{2018 + (8 + q) / 12, (8 + q) % 12 + 1}; };
  // Persons new in earlier drops: replay only their months' new-or-returning draws.
  uint64_t persons = base_persons;
  for (int q = 0; q < first; ++q) {
    Rng decide = StreamFor(opt.seed, Kind::kMonth, static_cast<uint64_t>(q));
    const uint64_t n = DropOrders(opt.scale, q, month_of(q).second);
    for (uint64_t j = 0; j < n; ++j) persons += decide.Bernoulli(kDropReturningShare) ? 0 : 1;
  }
  Order order;
  for (int q = first; q < first + opt.months; ++q) {
    const auto [year, month] = month_of(q);
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%04d-%02d", year, month);
    const std::string suffix_str = suffix;
    PARETO_ASSIGN_OR_RETURN(OrderFiles out, OrderFiles::Open(files, suffix_str));
    Rng decide = StreamFor(opt.seed, Kind::kMonth, static_cast<uint64_t>(q));
    Rng pick = StreamFor(opt.seed, Kind::kMonth, (1ULL << 32) + static_cast<uint64_t>(q));
    const uint64_t n = DropOrders(opt.scale, q, month);
    const int days = DaysInMonth(year, static_cast<unsigned>(month));
    const int64_t month_start = DaysFromCivil(year, static_cast<unsigned>(month), 1) * kDay;
    std::vector<int64_t> times(n);
    for (auto& t : times) t = month_start + static_cast<int64_t>(pick.Uniform() * days * kDay);
    std::sort(times.begin(), times.end());
    for (uint64_t j = 0; j < n; ++j) {
      // Mostly new persons (continuing the numbering); a few come back, from any earlier period.
      const bool returning = decide.Bernoulli(kDropReturningShare);
      const uint64_t person_index = returning ? pick.Below(persons) : persons++;
      const Person person = model.MakePerson(person_index);
      model.Simulate((static_cast<uint64_t>(q + 1) << 40) + j, person, times[j], order);
      out.Emit(order, person, shop, opt.seed);
      ++report.orders;
    }
  }
  report.persons = persons;
  return OkStatus();
}

}  // namespace

StatusOr<YearMonth> ParseYearMonth(const std::string& text) {
  int y = 0, m = 0, d = 1;
  char tail = 0;
  const int got = std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail);
  if (got < 2 || got > 3 || m < 1 || m > 12 || y < 2000 || y > 2100 || d < 1 || d > 31)
    return std::unexpected(InvalidArgument("bad month '" + text + "': expected YYYY-MM or YYYY-MM-DD"));
  return YearMonth{y, m};
}

StatusOr<GenerateReport> Generate(const GenerateOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  if (!(opt.scale > 0) || opt.scale > 10000) return std::unexpected(InvalidArgument("--scale must be in (0, 10000]"));
  if (!(opt.dirty_rate >= 0) || opt.dirty_rate > 0.5) return std::unexpected(InvalidArgument("--dirty must be in [0, 0.5]"));
  if (opt.out_dir.empty()) return std::unexpected(InvalidArgument("--out is required"));
  if (opt.start && (opt.months < 1 || opt.months > 120)) return std::unexpected(InvalidArgument("--months must be in [1, 120]"));
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) return std::unexpected(IoError("cannot create " + opt.out_dir + ": " + ec.message()));

  const Shop shop = BuildShop(opt.seed, opt.scale);
  const OrderModel model(opt.seed, shop);
  GenerateReport report;
  std::optional<DirtyInjector> dirty;
  if (opt.dirty_rate > 0) {
    std::string name = kManifestFile;
    if (opt.start) {
      char suffix[16];
      std::snprintf(suffix, sizeof suffix, "_%04d-%02d", opt.start->year, opt.start->month);
      name.insert(name.size() - 6, suffix);  // before ".jsonl"
    }
    report.manifest = opt.out_dir + "/" + name;
    PARETO_ASSIGN_OR_RETURN(DirtyInjector d, DirtyInjector::Open(report.manifest, opt.dirty_rate, opt.seed));
    dirty.emplace(std::move(d));
  }
  Files files(opt.out_dir, opt.seed, dirty ? &*dirty : nullptr);
  if (opt.start) {
    PARETO_RETURN_IF_ERROR(GenerateDrops(opt, model, shop, files, report));
  } else {
    PARETO_RETURN_IF_ERROR(GenerateBase(opt, shop, model, files, report));
  }
  PARETO_RETURN_IF_ERROR(files.CloseAll(report));
  if (dirty) {
    report.faults = dirty->faults();
    PARETO_RETURN_IF_ERROR(dirty->Close());
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace pareto::generate
