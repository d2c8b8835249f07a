#include "ingest/csv_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "ingest/test_util.h"

namespace pareto::ingest {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::WriteBytes;

SourceSpec Things() {
  return {.table = "brz_things",
          .pattern = "things*.csv",
          .columns = {{.name = "id", .type = "string"},
                      {.name = "qty", .type = "integer"},
                      {.name = "placed", .type = "timestamp"},
                      {.name = "price", .type = "decimal(12,2)"},
                      {.name = "note", .type = "string"}},
          .business_key = {"id"},
          .timezone = "America/Sao_Paulo",
          .comment = "Things."};
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = Things();
    ASSERT_TRUE(ValidateSource(spec_, "test.yaml").ok());
    auto db = duck::Database::Open();
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    db_.emplace(*std::move(db));
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.has_value()) << conn.error().ToString();
    conn_.emplace(*std::move(conn));
  }

  // Writes `bytes` as a file, loads it, and returns the result.
  StatusOr<LoadedFile> Load(std::string_view bytes, std::string name = "things.csv") {
    const std::string path = WriteBytes(dir_.path(), name, bytes);
    return LoadCsv(*conn_, path, FileBytes::FromString(std::string(bytes)), spec_, name, 1'500'000'000'000'000,
                   "t_load");
  }

  std::string Cell(std::string_view sql) {
    auto v = conn_->QueryScalar(sql);
    EXPECT_TRUE(v.has_value()) << (v.has_value() ? "" : v.error().ToString());
    return v.has_value() && v->has_value() ? **v : "NULL";
  }

  ScratchDir dir_;
  SourceSpec spec_;
  std::optional<duck::Database> db_;
  std::optional<duck::Connection> conn_;
};

constexpr char kHeader[] = "id,qty,placed,price,note\n";

TEST_F(CsvFileTest, LandsTypedRowsWithBronzeColumns) {
  auto loaded = Load(std::string(kHeader) + "007,1,2017-03-01 10:00:00,58.90,plain\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 1);
  EXPECT_TRUE(loaded->rejects.empty());
  // Leading zeros survive, cents are exact, local 10:00 (-03) is 13:00Z.
  EXPECT_EQ(Cell("SELECT id FROM t_load"), "007");
  EXPECT_EQ(Cell("SELECT price::VARCHAR FROM t_load"), "58.90");
  EXPECT_EQ(Cell("SELECT typeof(price) FROM t_load"), "DECIMAL(12,2)");
  EXPECT_EQ(Cell("SELECT strftime(placed AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM t_load"), "2017-03-01 13:00:00");
  EXPECT_EQ(Cell("SELECT typeof(placed) FROM t_load"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(Cell("SELECT _source_file FROM t_load"), "things.csv");
  EXPECT_EQ(Cell("SELECT epoch_us(_ingested_at) FROM t_load"), "1500000000000000");
}

// Each fault kind is one quarantined record with its physical line, raw text and reason.
TEST_F(CsvFileTest, QuarantinesEachFaultKindWithLineRawTextAndReason) {
  const std::string csv = std::string(kHeader) +                     // line 1
                          "a,1,2017-03-01 10:00:00,1.00,ok\n"        // 2
                          "b,x,2017-03-01 10:00:00,1.00,bad int\n"   // 3 cast
                          "c,2,2017-03-01 10:00:00\n"                // 4 missing columns
                          "d,3,2017-03-01 10:00:00,1.00,n,extra\n"   // 5 too many columns
                          "\"e\nsplit\",4,2017-03-01 10:00:00,1.00,ok\n"  // 6-7 embedded newline, fine
                          "f,5,yesterday,1.00,bad timestamp\n"       // 8 cast
                          "g,6,2017-03-01 10:00:00,1.00,ok\n"        // 9
                          "h,7,2017-03-01 10:00:00,1.00,\"never closed\n";  // 10 unterminated, last line
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 3);  // a, e, g
  EXPECT_EQ(Cell("SELECT string_agg(id, '|' ORDER BY id) FROM t_load"), "a|e\nsplit|g");
  ASSERT_EQ(loaded->rejects.size(), 5u);
  const auto& r = loaded->rejects;
  EXPECT_EQ(r[0].line, 3);
  EXPECT_EQ(r[0].raw_line, "b,x,2017-03-01 10:00:00,1.00,bad int");
  EXPECT_THAT(r[0].reason, HasSubstr("CAST"));
  EXPECT_THAT(r[0].reason, HasSubstr("\"qty\""));
  EXPECT_EQ(r[1].line, 4);
  EXPECT_EQ(r[1].raw_line, "c,2,2017-03-01 10:00:00");
  EXPECT_THAT(r[1].reason, HasSubstr("MISSING COLUMNS"));
  EXPECT_EQ(r[2].line, 5);
  EXPECT_THAT(r[2].reason, HasSubstr("TOO MANY COLUMNS"));
  EXPECT_EQ(r[3].line, 8);
  EXPECT_EQ(r[3].record, 7);  // the header is record 1; "e" spans two lines
  EXPECT_THAT(r[3].reason, HasSubstr("\"placed\""));
  EXPECT_EQ(r[4].line, 10);
  EXPECT_THAT(r[4].raw_line, HasSubstr("h,7,"));
  EXPECT_THAT(r[4].reason, HasSubstr("UNQUOTED VALUE"));
}

// An unterminated quote that swallows the lines after it refuses the file whole,
// naming the line: landing the rows before it would lose the rest silently.
TEST_F(CsvFileTest, UnterminatedQuoteSwallowingLinesRefusesTheFile) {
  std::string csv = kHeader;
  csv += "a,1,2017-03-01 10:00:00,1.00,ok\n";                // 2
  csv += "b,2,2017-03-01 10:00:00,1.00,\"never closed\n";    // 3
  for (int i = 0; i < 50; ++i) csv += fmt::format("r{},{},2017-03-01 10:00:00,1.00,ok\n", i, i);
  auto loaded = Load(csv);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), StatusCode::kDataError);
  EXPECT_THAT(loaded.error().message(), HasSubstr("things.csv: line 3"));
  EXPECT_THAT(loaded.error().message(), HasSubstr("50 line(s)"));
  EXPECT_THAT(loaded.error().message(), HasSubstr("refused whole"));
}

// Blank lines, lines of only commas and repeated header lines are skipped and
// counted, so landed + quarantined + skipped covers every record of the file.
TEST_F(CsvFileTest, BlankCommaOnlyAndRepeatedHeaderLinesAreSkippedAndCounted) {
  const std::string csv = std::string(kHeader) +              // 1
                          "a,1,2017-03-01 10:00:00,1.00,ok\n"  // 2
                          ",,,,\n"                             // 3 comma-only
                          "\n"                                 // 4 empty
                          "q,2,2017-03-01 10:00:00,1.00,\"two\n\nparagraphs\"\n"  // 5-7 an empty line inside quotes
                          "id,qty,placed,price,note\n"         // 8 header again
                          "b,x,2017-03-01 10:00:00,1.00,bad\n" // 9 quarantined
                          "c,3,2017-03-01 10:00:00,1.00,ok\n"  // 10
                          ",,,,\n";                            // 11 comma-only
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 3);
  EXPECT_EQ(Cell("SELECT string_agg(id, '|' ORDER BY id) FROM t_load"), "a|c|q");
  EXPECT_EQ(loaded->skipped_blank, 3);
  EXPECT_EQ(loaded->skipped_header, 1);
  ASSERT_EQ(loaded->rejects.size(), 1u);
  EXPECT_EQ(loaded->rejects[0].line, 9);
  // 8 records after the header, each accounted for once.
  EXPECT_EQ(loaded->rows + static_cast<int64_t>(loaded->rejects.size()) + loaded->skipped_blank +
                loaded->skipped_header,
            8);
}

// Where every column is text, a repeated header does not fail a cast: still skipped.
TEST_F(CsvFileTest, RepeatedHeaderOfTextColumnsIsSkipped) {
  spec_.columns = {{.name = "seller_id", .type = "string"}, {.name = "seller_city", .type = "string"}};
  auto loaded = Load("seller_id,seller_city\ns1,campinas\nseller_id,seller_city\ns2,santos\n");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 2);
  EXPECT_EQ(loaded->skipped_header, 1);
  EXPECT_EQ(Cell("SELECT count(*) FROM t_load WHERE seller_id = 'seller_id'"), "0");
}

// A Latin-1 byte on row 5 used to refuse the whole file ("cannot read the header",
// DuckDB checks the first chunk): now that row alone is quarantined with its line.
TEST_F(CsvFileTest, InvalidUtf8RowIsQuarantinedNotTheWholeFile) {
  const std::string csv = std::string(kHeader) + "a,1,2017-03-01 10:00:00,1.00,ok\n"  // 2
                          "b,2,2017-03-01 10:00:00,1.00,ok\n"                        // 3
                          "c,3,2017-03-01 10:00:00,1.00,ok\n"                        // 4
                          "d,4,2017-03-01 10:00:00,1.00,S\xe3o Paulo\n"              // 5 Latin-1
                          "e,5,2017-03-01 10:00:00,1.00,ok\n";
  const std::string path = WriteBytes(dir_.path(), "things.csv", csv);
  auto header = ReadHeader(*conn_, path, spec_.columns.size());
  ASSERT_TRUE(header.has_value()) << header.error().ToString();
  EXPECT_TRUE(CheckHeader(spec_, *header, "things.csv").ok());
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 4);
  ASSERT_EQ(loaded->rejects.size(), 1u);
  EXPECT_EQ(loaded->rejects[0].line, 5);
  EXPECT_THAT(loaded->rejects[0].reason, HasSubstr("INVALID ENCODING"));
  // A header that is not UTF-8 still refuses the file, with a bounded message.
  auto bad = ReadHeader(*conn_, WriteBytes(dir_.path(), "bad.csv", "id,q\xe3y\n1,2\n"), 2);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("cannot read the header"));
  EXPECT_LT(bad.error().message().size(), 1000u);
}

// The release's own format: BOM, CRLF, quoted header, values quoted on some rows
// and not others, "" inside quotes, CRLF inside a quoted comment, UTF-8 accents,
// no newline at the end.
TEST_F(CsvFileTest, ReadsReleaseFormatQuirks) {
  const std::string csv =
      "\xEF\xBB\xBF\"id\",\"qty\",\"placed\",\"price\",\"note\"\r\n"
      "\"a\",1,2017-03-01 10:00:00,1.50,\"Não chegou, \"\"urgente\"\"\r\nobrigado\"\r\n"
      "b,\"2\",2017-03-01 10:00:00,\"2.00\",ação\r\n"
      "c,3,,3.00,";
  auto header = ReadHeader(*conn_, WriteBytes(dir_.path(), "things.csv", csv), spec_.columns.size());
  ASSERT_TRUE(header.has_value()) << header.error().ToString();
  EXPECT_TRUE(CheckHeader(spec_, *header, "things.csv").ok());
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 3);
  EXPECT_TRUE(loaded->rejects.empty()) << loaded->rejects[0].reason;
  EXPECT_EQ(Cell("SELECT note FROM t_load WHERE id = 'a'"), "Não chegou, \"urgente\"\r\nobrigado");
  EXPECT_EQ(Cell("SELECT note FROM t_load WHERE id = 'b'"), "ação");
  EXPECT_EQ(Cell("SELECT qty FROM t_load WHERE id = 'b'"), "2");
  EXPECT_EQ(Cell("SELECT placed IS NULL AND note IS NULL FROM t_load WHERE id = 'c'"), "true");
}

TEST_F(CsvFileTest, CrlfFaultReportsTheRightLine) {
  const std::string csv = "id,qty,placed,price,note\r\na,1,,1.00,x\r\nb,zz,,1.00,y\r\nc,3,,1.00,z\r\n";
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 2);
  ASSERT_EQ(loaded->rejects.size(), 1u);
  EXPECT_EQ(loaded->rejects[0].line, 3);
  EXPECT_EQ(loaded->rejects[0].raw_line, "b,zz,,1.00,y");
}

TEST_F(CsvFileTest, EmptyFiles) {
  auto none = ReadHeader(*conn_, WriteBytes(dir_.path(), "empty.csv", ""), spec_.columns.size());
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_TRUE(none->empty());

  auto header = ReadHeader(*conn_, WriteBytes(dir_.path(), "things.csv", kHeader), spec_.columns.size());
  ASSERT_TRUE(header.has_value()) << header.error().ToString();
  EXPECT_TRUE(CheckHeader(spec_, *header, "things.csv").ok());
  auto loaded = Load(kHeader);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 0);
  EXPECT_EQ(Cell("SELECT count(*) FROM (DESCRIBE t_load)"), "7");  // five declared + two bronze columns
}

TEST_F(CsvFileTest, HeaderMismatchNamesExpectedAndFound) {
  auto header = ReadHeader(*conn_, WriteBytes(dir_.path(), "things.csv", "id,quantity,placed,price,note,extra\n1,2,,,,\n"),
                           spec_.columns.size());
  ASSERT_TRUE(header.has_value()) << header.error().ToString();
  EXPECT_THAT(*header, ::testing::ElementsAre("id", "quantity", "placed", "price", "note", "extra"));
  Status s = CheckHeader(spec_, *header, "things.csv");
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_THAT(s.message(), HasSubstr("expected [id, qty, placed, price, note]"));
  EXPECT_THAT(s.message(), HasSubstr("found [id, quantity, placed, price, note, extra]"));
  EXPECT_THAT(s.message(), HasSubstr("column 2: expected `qty`, found `quantity`"));

  EXPECT_FALSE(CheckHeader(spec_, {"id", "qty", "placed", "price"}, "x.csv").ok());
  EXPECT_FALSE(CheckHeader(spec_, {}, "x.csv").ok());
}

// Brazil's DST, resolved as ICU does: the nonexistent 2017-10-15 00:30 is read
// with the offset before the jump (-03); the doubled 2018-02-17 23:30 is the
// later, standard-time instant (-03).
TEST_F(CsvFileTest, DaylightSavingGapAndOverlap) {
  const std::string csv = std::string(kHeader) +
                          "gap,1,2017-10-15 00:30:00,1,\n"
                          "after_gap,1,2017-10-15 01:30:00,1,\n"
                          "before_overlap,1,2018-02-17 22:30:00,1,\n"
                          "overlap,1,2018-02-17 23:30:00,1,\n"
                          "winter,1,2017-07-01 12:00:00,1,\n";
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  auto utc = [&](std::string_view id) {
    return Cell(fmt::format("SELECT strftime(placed AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') FROM t_load WHERE id = '{}'", id));
  };
  EXPECT_EQ(utc("gap"), "2017-10-15 03:30");
  EXPECT_EQ(utc("after_gap"), "2017-10-15 03:30");  // 01:30 -02
  EXPECT_EQ(utc("before_overlap"), "2018-02-18 00:30");  // 22:30 -02
  EXPECT_EQ(utc("overlap"), "2018-02-18 02:30");
  EXPECT_EQ(utc("winter"), "2017-07-01 15:00");
}

// Case 5: `1.234` in a decimal(12,2) column is quarantined, not rounded to 1.23;
// trailing zeros are no extra digits. A NUL byte inside a field quarantines its row
// (with the line) instead of landing a value C strings would cut.
TEST_F(CsvFileTest, DigitsBeyondTheScaleAndNulBytesAreQuarantined) {
  std::string csv = std::string(kHeader) +                       // 1
                    "a,1,2017-03-01 10:00:00,1.230,ok\n"          // 2 exact: trailing zero
                    "b,2,2017-03-01 10:00:00,1.234,scale\n"       // 3
                    "\"q\nr\",3,2017-03-01 10:00:00,2.5,ok\n";     // 4-5 multi-line record
  csv += std::string("c,4,2017-03-01 10:00:00,1.00,deli") + '\0' + "vered\n";  // 6 NUL in text
  csv += "d,5,2017-03-01 10:00:00,-9.999,neg\n";                // 7
  csv += "e,6,2017-03-01 10:00:00,7,ok\n";                      // 8
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 3);
  EXPECT_EQ(Cell("SELECT string_agg(price::VARCHAR, '|' ORDER BY id) FROM t_load"), "1.23|7.00|2.50");
  ASSERT_EQ(loaded->rejects.size(), 3u);
  const auto& r = loaded->rejects;
  EXPECT_EQ(r[0].line, 3);
  EXPECT_EQ(r[0].raw_line, "b,2,2017-03-01 10:00:00,1.234,scale");
  EXPECT_THAT(r[0].reason, HasSubstr("column \"price\""));
  EXPECT_THAT(r[0].reason, HasSubstr("more than 2 decimal place(s)"));
  EXPECT_EQ(r[1].line, 6);
  EXPECT_EQ(r[1].raw_line, std::string("c,4,2017-03-01 10:00:00,1.00,deli") + '\0' + "vered");
  EXPECT_THAT(r[1].reason, HasSubstr("NUL BYTE: column \"note\""));
  EXPECT_EQ(r[2].line, 7);
  EXPECT_EQ(r[2].record, 6);  // the header is record 1; "q\nr" spans two lines
  EXPECT_EQ(loaded->rows + static_cast<int64_t>(r.size()), 6);
}

// Case 4: an explicit offset names an instant (10:00Z, 10:00+05:00 = 05:00Z,
// -0300); a timestamp without one stays a wall time of the source's zone.
TEST_F(CsvFileTest, ExplicitUtcOffsetsAreHonoured) {
  const std::string csv = std::string(kHeader) +
                          "z,1,2018-01-01T10:00:00Z,1,\n"
                          "plus5,1,2018-01-01T10:00:00+05:00,1,\n"
                          "minus3,1,2018-01-01 10:00:00.5-0300,1,\n"
                          "wall,1,2018-01-01 10:00:00,1,\n"
                          "iso_t,1,2018-01-01T10:00:00,1,\n";
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_TRUE(loaded->rejects.empty()) << loaded->rejects[0].reason;
  auto utc = [&](std::string_view id) {
    return Cell(fmt::format("SELECT strftime(placed AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM t_load WHERE id = '{}'", id));
  };
  EXPECT_EQ(utc("z"), "2018-01-01 10:00:00");
  EXPECT_EQ(utc("plus5"), "2018-01-01 05:00:00");
  EXPECT_EQ(utc("minus3"), "2018-01-01 13:00:00");
  EXPECT_EQ(utc("wall"), "2018-01-01 12:00:00");  // Sao Paulo wall time, -02 in January 2018
  EXPECT_EQ(utc("iso_t"), "2018-01-01 12:00:00");
}

// Case 10: a declared layout reads a spreadsheet's dates; a value not in it is
// quarantined with its line and the layout it was read against.
TEST_F(CsvFileTest, DeclaredTimestampAndDateFormats) {
  spec_.columns = {{.name = "id", .type = "string"},
                   {.name = "placed", .type = "timestamp", .format = "%m/%d/%Y %H:%M"},
                   {.name = "due", .type = "date", .format = "%m/%d/%Y"}};
  const std::string csv = "id,placed,due\r\n"
                          "a,10/2/2017 10:56,10/9/2017\r\n"
                          "b,2017-10-02 10:56:00,10/9/2017\r\n"  // ISO where the layout is declared
                          "c,12/31/2017 23:05,\r\n";
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 2);
  EXPECT_EQ(Cell("SELECT strftime(placed AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') || ' ' || due FROM t_load WHERE id = 'a'"),
            "2017-10-02 13:56 2017-10-09");
  EXPECT_EQ(Cell("SELECT due IS NULL FROM t_load WHERE id = 'c'"), "true");
  ASSERT_EQ(loaded->rejects.size(), 1u);
  EXPECT_EQ(loaded->rejects[0].line, 3);
  EXPECT_THAT(loaded->rejects[0].reason, HasSubstr("column \"placed\""));
  EXPECT_THAT(loaded->rejects[0].reason, HasSubstr("%m/%d/%Y %H:%M"));
}

// A 10 MB field on line 3 quarantines that row with the whole record up to 1 MiB
// and a note naming its size and line (DuckDB's own copy stops at 10,000 characters).
TEST_F(CsvFileTest, HugeFieldIsQuarantinedWithItsTextAndSize) {
  const std::string huge(10'000'000, 'x');
  const std::string csv = std::string(kHeader) + "a,1,2017-03-01 10:00:00,1.00,ok\n" + "b,2,2017-03-01 10:00:00,1.00," +
                          huge + "\n" + "c,3,2017-03-01 10:00:00,1.00,ok\n";
  auto loaded = Load(csv);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->rows, 2);
  ASSERT_EQ(loaded->rejects.size(), 1u);
  const RejectedRow& r = loaded->rejects[0];
  EXPECT_EQ(r.line, 3);
  EXPECT_TRUE(r.raw_line.starts_with("b,2,2017-03-01 10:00:00,1.00,xxx"));
  EXPECT_GT(r.raw_line.size(), size_t{1} << 20);
  EXPECT_THAT(r.raw_line, HasSubstr("the record has 10000029 bytes; the whole text is line 3 of things.csv"));
}

TEST(LineOfRecordAtTest, CountsLineBreaksBeforeTheRecord) {
  EXPECT_EQ(LineOfRecordAt("a\nb\nc", 0), 1);
  EXPECT_EQ(LineOfRecordAt("a\nb\nc", 2), 2);
  EXPECT_EQ(LineOfRecordAt("a\r\nb\r\nc", 2), 2);  // pointing at the '\n' of CRLF
  EXPECT_EQ(LineOfRecordAt("a\r\nb\r\nc", 6), 3);
  EXPECT_EQ(LineOfRecordAt("a\nb", 99), 2);
}

}  // namespace
}  // namespace pareto::ingest
