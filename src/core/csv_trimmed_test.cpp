#include "rating/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdrd::rating {
namespace {

using ::testing::ElementsAre;

std::vector<CsvRecord> read_all(std::string_view text) {
  CsvReader reader(text);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

TEST(CsvReader, SplitsFieldsAndLines) {
  const auto rows = read_all("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
}

TEST(CsvReader, CrlfAndNoFinalNewline) {
  const auto rows = read_all("a,b\r\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2"));
}

TEST(CsvReader, QuotedFieldsWithCommasQuotesAndNewlines) {
  const auto rows = read_all("\"a,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a,1", "say \"hi\"", "two\nlines"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 3);  // the quoted line break counts
}

TEST(CsvReader, TrimsSpacesOutsideQuotesOnly) {
  const auto rows = read_all("  a , \" b \" ,c\t\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", " b ", "c"));
}

TEST(CsvReader, EmptyFieldsAndTrailingComma) {
  const auto rows = read_all(",x,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("", "x", ""));
}

TEST(CsvReader, BlankLinesSkippedButCounted) {
  const auto rows = read_all("a\n\n  \r\nb\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_THAT(rows[1].fields, ElementsAre("b"));
}

TEST(CsvReader, ByteOrderMarkIgnored) {
  const auto rows = read_all("\xEF\xBB\xBFprefix,rate\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("prefix", "rate"));
}

TEST(CsvReader, UnclosedQuoteIsAnError) {
  const auto rows = read_all("a\n\"open,b\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_THAT(rows[1].error, ::testing::HasSubstr("not closed"));
}

TEST(CsvReader, TextAfterClosingQuoteIsAnError) {
  const auto rows = read_all("\"a\"b,c\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].error.empty());
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnError) {
  const auto rows = read_all("a\"b,c\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].error.empty());
}

TEST(CsvReader, EmptyInput) {
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\n\n").empty());
}

}  // namespace
}  // namespace cdrd::rating
