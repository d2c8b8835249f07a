#include "generate/civil_time.h"

namespace pareto::generate {
namespace {
void Two(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}
}  // namespace

void AppendTimestamp(std::string& out, int64_t t) {
  const int64_t day = FloorDay(t) / kDay;
  const auto secs = static_cast<unsigned>(t - day * kDay);
  const CivilDate c = CivilFromDays(day);
  const auto y = static_cast<unsigned>(c.year);
  Two(out, y / 100);
  Two(out, y % 100);
  out.push_back('-');
  Two(out, c.month);
  out.push_back('-');
  Two(out, c.day);
  out.push_back(' ');
  Two(out, secs / 3600);
  out.push_back(':');
  Two(out, secs / 60 % 60);
  out.push_back(':');
  Two(out, secs % 60);
}

std::string FormatTimestamp(int64_t t) {
  std::string s;
  AppendTimestamp(s, t);
  return s;
}

}  // namespace pareto::generate
