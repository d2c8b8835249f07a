// Test helper: Delta's golden tables (../shared/delta-golden) and what their
// EXPECTED.md says each must give — parsed from that file, never taken from a
// reader. The delta tests (the library) and the CLI tests (pareto read) share it.
#pragma once

#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pareto::delta::testing {

inline const std::string kGolden = std::string(PARETO_SHARED_DIR) + "/delta-golden";

struct Column {
  std::string name;
  std::string type;
  bool partition = false;
};

struct Entry {
  std::string cls;  // SUPPORTED, MUST_REFUSE, SKIP
  std::string name;
  int64_t latest = -1;
  int64_t rows = -1;
  std::vector<Column> schema;
  std::string error;                            // MUST_REFUSE: the error kind
  std::string why;                              // MUST_REFUSE: the explanation
  std::map<int64_t, int64_t> readable_earlier;  // MUST_REFUSE: version -> rows
};

inline std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      size_t b = cur.find_first_not_of(' '), e = cur.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return cells;
}

inline std::string Unquote(const std::string& cell) {
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') return cell.substr(1, cell.size() - 2);
  return cell;
}

// "`a` integer, `b` decimal(12,5) (P)" -> columns. Types never hold a backtick.
inline std::vector<Column> ParseSchema(const std::string& cell) {
  std::vector<Column> out;
  size_t pos = 0;
  while ((pos = cell.find('`', pos)) != std::string::npos) {
    size_t end = cell.find('`', pos + 1);
    Column c;
    c.name = cell.substr(pos + 1, end - pos - 1);
    size_t next = cell.find(", `", end);
    std::string type = cell.substr(end + 1, next == std::string::npos ? std::string::npos : next - end - 1);
    type.erase(0, type.find_first_not_of(' '));
    if (type.ends_with(" (P)")) {
      c.partition = true;
      type.resize(type.size() - 4);
    }
    c.type = type;
    out.push_back(c);
    if (next == std::string::npos) break;
    pos = next + 2;
  }
  return out;
}

inline std::vector<Entry> ParseExpected() {
  std::ifstream in(kGolden + "/EXPECTED.md");
  std::vector<Entry> out;
  std::string line, section;
  static const std::regex kEarlier(R"(v(\d+) \((\d+) rows\))");
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      section = line.substr(3, line.find(' ', 3) - 3);
      continue;
    }
    if (!line.starts_with("| `")) continue;
    auto cells = Cells(line);
    Entry e;
    e.cls = section;
    e.name = Unquote(cells.at(0));
    if (section == "SUPPORTED") {
      e.latest = std::stoll(cells.at(1));
      e.rows = std::stoll(cells.at(2));
      e.schema = ParseSchema(cells.at(3));
    } else if (section == "MUST_REFUSE") {
      e.error = Unquote(cells.at(1).substr(0, cells.at(1).find(' ')));
      e.why = cells.at(2);
      const std::string& earlier = cells.at(3);
      for (std::sregex_iterator it(earlier.begin(), earlier.end(), kEarlier), end; it != end; ++it) {
        e.readable_earlier[std::stoll((*it)[1])] = std::stoll((*it)[2]);
      }
    }
    out.push_back(e);
  }
  return out;
}

// Delta type in EXPECTED.md's notation: array<x>, map<k,v>, struct<a:t,...>.
inline std::string Render(const nlohmann::json& t) {
  if (t.is_string()) return t.get<std::string>();
  std::string kind = t.at("type");
  if (kind == "array") return "array<" + Render(t.at("elementType")) + ">";
  if (kind == "map") return "map<" + Render(t.at("keyType")) + "," + Render(t.at("valueType")) + ">";
  std::string out = "struct<";
  bool first = true;
  for (const auto& f : t.at("fields")) {
    if (!first) out += ",";
    first = false;
    out += f.at("name").get<std::string>() + ":" + Render(f.at("type"));
  }
  return out + ">";
}

inline const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = ParseExpected();
  return entries;
}

inline const Entry* Find(const std::string& name) {
  for (const auto& e : Entries()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

// The word the error message must contain for each kind of refusal.
inline std::vector<std::string> ExpectedWords(const Entry& e) {
  if (e.error == "not_a_delta_table") return {"not a Delta table"};
  if (e.error == "non_contiguous_versions") return {"non-contiguous"};
  if (e.error == "missing_protocol") return {"protocol"};
  if (e.error == "missing_metadata") return {"metadata"};
  std::smatch m;
  static const std::regex kFeatures(R"(readerFeatures \[([A-Za-z0-9_-]+))");
  if (std::regex_search(e.why, m, kFeatures)) return {m[1]};
  if (e.why.find("columnMapping") != std::string::npos) return {"columnMapping"};
  static const std::regex kReader(R"(minReaderVersion (\d+))");
  if (std::regex_search(e.why, m, kReader)) return {m[1]};
  return {"reader version"};
}

}  // namespace pareto::delta::testing
