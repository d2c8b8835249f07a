// `pareto read --json` over Delta's golden tables (../shared/delta-golden): every
// version of every table EXPECTED.md lists as SUPPORTED prints its rows, each value
// in the exact form its Delta type calls for (a decimal(p,s) with s fractional
// digits, never a double; a timestamp in ISO 8601 with its offset; arrays, maps and
// structs as JSON of the same shape, at any depth); every MUST_REFUSE table is
// refused with the exit code and the reason EXPECTED.md gives, its readable
// earlier versions still read.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/testing/cli_run.h"
#include "common/testing/temp_dir.h"
#include "delta/golden_expected.h"
#include "delta/table.h"
#include "duck/duck.h"

namespace pareto::cli {
namespace {

using delta::testing::Entries;
using delta::testing::Entry;
using delta::testing::kGolden;

// A JSON value with its raw text kept: a JSON library would parse a decimal into a
// double and lose exactly what is checked here.
struct Raw {
  char kind = 'n';   // n null, b boolean, # number, s string, [ array, { object
  std::string text;  // a number's or a string's JSON text (a string with its quotes)
  std::vector<std::pair<std::string, Raw>> items;  // an array's ("" keys) or an object's members
};

class RawParser {
 public:
  explicit RawParser(const std::string& s) : s_(s) {}
  // The one value of the whole text; false when it is not valid JSON.
  bool ParseAll(Raw& out) {
    if (!Value(out)) return false;
    Space();
    return i_ == s_.size();
  }

 private:
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool String(std::string& raw) {
    const size_t start = i_++;
    while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
    if (i_ >= s_.size()) return false;
    raw = s_.substr(start, ++i_ - start);
    return nlohmann::json::accept(raw);
  }
  bool Value(Raw& v) {
    Space();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') {
      v.kind = 's';
      return String(v.text);
    }
    if (c == '[' || c == '{') {
      v.kind = c;
      ++i_;
      Space();
      if (i_ < s_.size() && s_[i_] == (c == '[' ? ']' : '}')) {
        ++i_;
        return true;
      }
      while (true) {
        std::string key;
        if (c == '{') {
          Space();
          std::string raw_key;
          if (i_ >= s_.size() || s_[i_] != '"' || !String(raw_key)) return false;
          key = nlohmann::json::parse(raw_key).get<std::string>();
          Space();
          if (i_ >= s_.size() || s_[i_++] != ':') return false;
        }
        Raw item;
        if (!Value(item)) return false;
        v.items.emplace_back(std::move(key), std::move(item));
        Space();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        return s_[i_++] == (c == '[' ? ']' : '}');
      }
    }
    const size_t start = i_;
    while (i_ < s_.size() && std::string_view(",]} \n").find(s_[i_]) == std::string_view::npos) ++i_;
    v.text = s_.substr(start, i_ - start);
    if (v.text == "null") v.kind = 'n';
    else if (v.text == "true" || v.text == "false") v.kind = 'b';
    else v.kind = '#';
    return v.kind != '#' || nlohmann::json::accept(v.text);
  }
  const std::string& s_;
  size_t i_ = 0;
};

// "a<b,c>, d" -> {"a<b,c>", "d"}: commas outside <> and ().
std::vector<std::string> SplitTop(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A Delta type in EXPECTED.md's notation, parsed once per column (a million rows
// are checked against it).
struct Type {
  std::string name;  // integer, ..., decimal, array, map, struct
  int precision = 0, scale = 0;
  std::vector<std::pair<std::string, Type>> children;  // element; key, value; fields
};

Type ParseType(const std::string& text) {
  Type t;
  const size_t open = text.find_first_of("<(");
  t.name = text.substr(0, open);
  if (open == std::string::npos) return t;
  const std::string inner = text.substr(open + 1, text.size() - open - 2);
  if (t.name == "decimal") {
    t.precision = std::stoi(inner);
    t.scale = std::stoi(inner.substr(inner.find(',') + 1));
  } else if (t.name == "struct") {
    for (const std::string& f : SplitTop(inner)) {
      const size_t colon = f.find(':');
      t.children.emplace_back(f.substr(0, colon), ParseType(f.substr(colon + 1)));
    }
  } else {
    for (const std::string& c : SplitTop(inner)) t.children.emplace_back("", ParseType(c));
  }
  return t;
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// -?(0|[1-9][0-9]*) with at most `max_digits` digits.
bool IsInteger(std::string_view s, size_t max_digits = 40) {
  if (s.starts_with('-')) s.remove_prefix(1);
  return Digits(s) && (s.size() == 1 || s[0] != '0') && s.size() <= max_digits;
}

// Exactly `scale` fractional digits and at most precision - scale integer ones:
// what a decimal's every digit looks like, and what a double never does.
bool IsDecimal(std::string_view s, int precision, int scale) {
  if (s.starts_with('-')) s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (scale == 0) return dot == std::string_view::npos && IsInteger(whole, precision);
  if (dot == std::string_view::npos) return false;
  const std::string_view fraction = s.substr(dot + 1);
  const bool whole_ok = precision > scale ? IsInteger(whole, precision - scale) : whole == "0";
  return whole_ok && Digits(fraction) && fraction.size() == static_cast<size_t>(scale);
}

// "YYYY-MM-DD" (quoted), then for a timestamp "THH:MM:SS[.f{1,9}]+00:00".
bool IsDateText(std::string_view s, bool timestamp) {
  auto at = [&](size_t i, std::string_view pattern) {
    if (s.size() < i + pattern.size()) return false;
    for (size_t k = 0; k < pattern.size(); ++k) {
      const char c = s[i + k];
      if (pattern[k] == 'd' ? !(c >= '0' && c <= '9') : c != pattern[k]) return false;
    }
    return true;
  };
  if (!at(0, "\"dddd-dd-dd")) return false;
  if (!timestamp) return s.size() == 12 && s[11] == '"';
  if (!at(11, "Tdd:dd:dd")) return false;
  size_t i = 20;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 9) return false;
  }
  return s.substr(i) == "+00:00\"";
}

// Why `v` is not the exact JSON of a value of type `t`, or "" when it is. NULL fits
// every type.
std::string Misfit(const Raw& v, const Type& t) {
  if (v.kind == 'n') return "";
  auto is = [&](char kind) { return v.kind == kind; };
  auto bad = [&] {
    return t.name + " printed as " + (v.kind == '[' || v.kind == '{' ? std::string(1, v.kind) : v.text);
  };
  const std::string& n = t.name;
  if (n == "integer" || n == "long" || n == "short" || n == "byte") return is('#') && IsInteger(v.text) ? "" : bad();
  if (n == "boolean") return is('b') ? "" : bad();
  if (n == "float" || n == "double") {
    const bool special = v.text == "\"nan\"" || v.text == "\"inf\"" || v.text == "\"-inf\"";
    return is('#') || special ? "" : bad();
  }
  if (n == "string" || n == "binary") return is('s') ? "" : bad();
  if (n == "date" || n == "timestamp") return is('s') && IsDateText(v.text, n == "timestamp") ? "" : bad();
  if (n == "decimal") return is('#') && IsDecimal(v.text, t.precision, t.scale) ? "" : bad();
  if (n == "array") {
    if (!is('[')) return bad();
    for (const auto& [key, item] : v.items) {
      if (std::string why = Misfit(item, t.children.at(0).second); !why.empty()) return "in array: " + why;
    }
    return "";
  }
  if (n == "map") {
    if (!is('{')) return bad();
    const std::string& key_type = t.children.at(0).second.name;
    for (const auto& [key, item] : v.items) {
      // A key is its value's text: an integer key is an integer's digits.
      if ((key_type == "integer" || key_type == "long" || key_type == "short") && !IsInteger(key)) {
        return "map key " + key;
      }
      if (std::string why = Misfit(item, t.children.at(1).second); !why.empty()) return "in map: " + why;
    }
    return "";
  }
  if (n == "struct") {
    if (!is('{')) return bad();
    if (t.children.size() != v.items.size()) return "struct with " + std::to_string(v.items.size()) + " fields";
    for (size_t i = 0; i < t.children.size(); ++i) {
      if (v.items[i].first != t.children[i].first) return "struct field " + v.items[i].first;
      if (std::string why = Misfit(v.items[i].second, t.children[i].second); !why.empty()) {
        return "in struct: " + why;
      }
    }
    return "";
  }
  return "unknown type " + n;
}

struct Field {
  std::string name;
  std::string type;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class GoldenReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = testing::BinaryUnderTest();
    if (binary_.empty()) GTEST_SKIP() << "PARETO_BINARY is not set to a built pareto (run through ctest)";
    if (!std::filesystem::exists(kGolden + "/EXPECTED.md")) GTEST_SKIP() << "no " << kGolden;
  }
  testing::CliRun Read(const std::string& table, std::optional<int64_t> version = std::nullopt) {
    std::vector<std::string> args = {"read", kGolden + "/" + table, "--json", "--max-rows", "2000000"};
    if (version.has_value()) args.insert(args.end(), {"--version", std::to_string(*version)});
    return testing::RunBinary(binary_, args, dir_.path() + "/stderr.txt");
  }
  // Each line one object with exactly `fields`' keys in order, each value exact for its type.
  void ExpectRowsFit(const std::string& out, const std::vector<Field>& fields) {
    int misfits = 0;
    std::vector<Type> types;
    for (const Field& f : fields) types.push_back(ParseType(f.type));
    for (const std::string& line : Lines(out)) {
      Raw row;
      ASSERT_TRUE(RawParser(line).ParseAll(row) && row.kind == '{') << line;
      ASSERT_EQ(row.items.size(), fields.size()) << line;
      for (size_t c = 0; c < fields.size(); ++c) {
        EXPECT_EQ(row.items[c].first, fields[c].name) << line;
        const std::string why = Misfit(row.items[c].second, types[c]);
        if (!why.empty() && ++misfits <= 3) ADD_FAILURE() << fields[c].name << ": " << why << " in " << line;
      }
    }
    EXPECT_EQ(misfits, 0);
  }
  // The rows the version's live files hold by their Parquet footers, or nullopt
  // when one of them is missing (then the read must fail, not print part).
  std::optional<int64_t> FooterRows(const delta::Snapshot& snap) {
    auto db = duck::Database::Open();
    auto conn = db->Connect();
    int64_t rows = 0;
    for (const auto& f : snap.files) {
      const std::string path = f.path.starts_with("/") ? f.path : snap.root + "/" + f.path;
      if (!std::filesystem::exists(path)) return std::nullopt;
      auto n = conn->QueryInt64("SELECT num_rows FROM parquet_file_metadata(" + duck::QuoteLiteral(path) + ")");
      EXPECT_TRUE(n.has_value()) << path;
      rows += n.value_or(0);
    }
    return rows;
  }

  ::pareto::testing::TempDir dir_;
  std::string binary_;
};

TEST_F(GoldenReadTest, EveryVersionOfEverySupportedTablePrintsExactValues) {
  int exact = 0, missing_files = 0;
  for (const Entry& e : Entries()) {
    if (e.cls != "SUPPORTED") continue;
    for (int64_t v = 0; v <= e.latest; ++v) {
      SCOPED_TRACE(e.name + " v" + std::to_string(v));
      auto snap = delta::Table(kGolden + "/" + e.name).Load({.version = v});
      ASSERT_TRUE(snap.has_value()) << snap.error().ToString();
      // Latest: the schema EXPECTED.md gives; an earlier version: its own metaData's.
      std::vector<Field> fields;
      if (v == e.latest) {
        for (const auto& c : e.schema) fields.push_back({c.name, c.type});
      } else {
        for (const auto& f : snap->schema.at("fields")) {
          fields.push_back({f.at("name").get<std::string>(), delta::testing::Render(f.at("type"))});
        }
      }
      const std::optional<int64_t> rows = FooterRows(*snap);
      testing::CliRun read = Read(e.name, v);
      if (!rows.has_value()) {
        // Files vacuumed or never written: refused, never part of the rows.
        EXPECT_NE(read.exit_code, 0) << read.out;
        EXPECT_TRUE(read.out.empty());
        EXPECT_NE(read.err.find("missing"), std::string::npos) << read.err;
        ++missing_files;
        continue;
      }
      ASSERT_EQ(read.exit_code, 0) << read.err;
      EXPECT_EQ(static_cast<int64_t>(Lines(read.out).size()), v == e.latest ? e.rows : *rows);
      EXPECT_EQ(read.err.find("truncated"), std::string::npos) << read.err;
      ExpectRowsFit(read.out, fields);
      if (!HasFailure()) ++exact;
    }
  }
  std::cout << "golden tables: " << exact << " table versions read exactly, " << missing_files
            << " refused for missing data files\n";
  EXPECT_GT(exact, 0);
}

TEST_F(GoldenReadTest, MustRefuseTablesExitWithTheirReasonAndEarlierVersionsRead) {
  int refused = 0, earlier = 0;
  for (const Entry& e : Entries()) {
    if (e.cls != "MUST_REFUSE") continue;
    SCOPED_TRACE(e.name);
    testing::CliRun read = Read(e.name);
    EXPECT_EQ(read.exit_code, e.error == "not_a_delta_table" ? 66 : 65) << read.err;
    EXPECT_TRUE(read.out.empty()) << read.out;
    EXPECT_EQ(std::count(read.err.begin(), read.err.end(), '\n'), 1) << read.err;  // one line
    std::string lower = read.err;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    for (std::string word : delta::testing::ExpectedWords(e)) {
      std::transform(word.begin(), word.end(), word.begin(), ::tolower);
      EXPECT_NE(lower.find(word), std::string::npos) << "no '" << word << "' in " << read.err;
    }
    if (!HasFailure()) ++refused;
    for (const auto& [version, rows] : e.readable_earlier) {
      testing::CliRun old = Read(e.name, version);
      ASSERT_EQ(old.exit_code, 0) << "v" << version << ": " << old.err;
      EXPECT_EQ(static_cast<int64_t>(Lines(old.out).size()), rows) << "v" << version;
      ++earlier;
    }
  }
  std::cout << "golden tables: " << refused << " refused as expected, " << earlier
            << " readable earlier versions read\n";
}

// The values EXPECTED.md states, printed exactly.
TEST_F(GoldenReadTest, DocumentedValuesPrintExactly) {
  struct Case {
    std::string table;
    std::vector<std::string> lines;  // every line, in any order
  };
  // data-reader-date-types-*: 2020-01-01 08:09:10 wall time in the table's zone, as the instant.
  const std::vector<Case> cases = {
      {"124-decimal-decode-bug", {R"({"large_decimal":1000000})"}},
      {"data-reader-nullable-field-invalid-schema-key", {R"({"array_can_contain_null":[null,null,null]})"}},
      {"data-reader-date-types-UTC", {R"({"timestamp":"2020-01-01T08:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-Iceland", {R"({"timestamp":"2020-01-01T08:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-JST", {R"({"timestamp":"2019-12-31T23:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-PST", {R"({"timestamp":"2020-01-01T16:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-America/Los_Angeles",
       {R"({"timestamp":"2020-01-01T16:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-Asia/Beirut", {R"({"timestamp":"2020-01-01T06:09:10+00:00","date":"2020-01-01"})"}},
      {"data-reader-date-types-Etc/GMT+9", {R"({"timestamp":"2020-01-01T17:09:10+00:00","date":"2020-01-01"})"}},
      {"collations-table", {}},
      {"log-replay-special-characters", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.table);
    testing::CliRun read = Read(c.table);
    ASSERT_EQ(read.exit_code, 0) << read.err;
    std::vector<std::string> got = Lines(read.out), want = c.lines;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }
  // Partition values from the log: decoded once, "+" kept, typed by the schema.
  testing::CliRun escaped = Read("data-reader-escaped-chars");
  ASSERT_EQ(escaped.exit_code, 0) << escaped.err;
  for (const char* v : {R"("_2":"bar+%21")", R"("_2":"bar+%22")", R"("_2":"bar+%23")"}) {
    EXPECT_NE(escaped.out.find(v), std::string::npos) << v << " in " << escaped.out;
  }
  testing::CliRun iso = Read("kernel-timestamp-partition-col-ISO8601");
  ASSERT_EQ(iso.exit_code, 0) << iso.err;
  EXPECT_NE(iso.out.find(R"("ts":"2024-01-01T10:00:00+00:00")"), std::string::npos) << iso.out;
  testing::CliRun partitions = Read("data-reader-partition-values");
  ASSERT_EQ(partitions.exit_code, 0) << partitions.err;
  size_t literal_null = 0;
  for (const std::string& line : Lines(partitions.out)) {
    literal_null += line.find(R"("as_string_lit_null":"null")") != std::string::npos;
  }
  EXPECT_EQ(literal_null, 2u) << partitions.out;
  EXPECT_NE(partitions.out.find(R"({"as_int":null,"as_long":null,)"), std::string::npos) << partitions.out;
}

// The checker itself: each misprint it exists to catch is caught.
TEST(GoldenMisfitTest, CatchesDoublesForDecimalsAndTimestampsWithoutOffset) {
  auto misfit = [](const std::string& json, const std::string& type) {
    Raw v;
    EXPECT_TRUE(RawParser(json).ParseAll(v)) << json;
    return Misfit(v, ParseType(type));
  };
  EXPECT_EQ(misfit("1000000", "decimal(10,0)"), "");
  EXPECT_NE(misfit("1000000.0", "decimal(10,0)"), "");
  EXPECT_NE(misfit("1e6", "decimal(10,0)"), "");
  EXPECT_EQ(misfit("-9999999999.9999999999", "decimal(20,10)"), "");
  EXPECT_NE(misfit("-10000000000.0", "decimal(20,10)"), "");
  EXPECT_NE(misfit("\"-9999999999.9999999999\"", "decimal(20,10)"), "");
  EXPECT_EQ(misfit("0.123456789012345678901234567890123456", "decimal(38,36)"), "");
  EXPECT_NE(misfit("0.12345678901234568", "decimal(38,36)"), "");
  EXPECT_EQ(misfit("\"2020-01-01T08:09:10+00:00\"", "timestamp"), "");
  EXPECT_NE(misfit("\"2020-01-01 08:09:10+00\"", "timestamp"), "");
  EXPECT_NE(misfit("\"\"", "timestamp"), "");
  EXPECT_EQ(misfit("{\"0\":[{\"val\":0}]}", "map<integer,array<struct<val:integer>>>"), "");
  EXPECT_NE(misfit("{\"0\":\"[{'val': 0}]\"}", "map<integer,array<struct<val:integer>>>"), "");
  EXPECT_NE(misfit("[0.0]", "array<decimal(1,0)>"), "");
  EXPECT_NE(misfit("{\"aa\":\"x\"}", "struct<aa:string,ab:string>"), "");
  EXPECT_EQ(misfit("null", "struct<aa:string,ab:string>"), "");
}

}  // namespace
}  // namespace pareto::cli
