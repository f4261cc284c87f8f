// The CSV reader with trim_blanks, as the rate-deck parser reads decks.
#include "core/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdrd {
namespace {

using ::testing::ElementsAre;

std::vector<CsvRow> read_trimmed(std::string_view text) {
  CsvReader reader(text, 1, CsvOptions{.trim_blanks = true});
  std::vector<CsvRow> out;
  CsvRow r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

TEST(CsvReaderTrimmingBlanks, SplitsFieldsAndLines) {
  const auto rows = read_trimmed("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2", "3"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
}

TEST(CsvReaderTrimmingBlanks, CrlfAndNoFinalNewline) {
  const auto rows = read_trimmed("a,b\r\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2"));
}

TEST(CsvReaderTrimmingBlanks, QuotedFieldsWithCommasQuotesAndNewlines) {
  const auto rows = read_trimmed("\"a,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a,1", "say \"hi\"", "two\nlines"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 3);  // the quoted line break counts
}

TEST(CsvReaderTrimmingBlanks, TrimsSpacesOutsideQuotesOnly) {
  const auto rows = read_trimmed("  a , \" b \" ,c\t\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", " b ", "c"));
}

TEST(CsvReaderTrimmingBlanks, EmptyFieldsAndTrailingComma) {
  const auto rows = read_trimmed(",x,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre("", "x", ""));
}

TEST(CsvReaderTrimmingBlanks, BlankLinesSkippedButCounted) {
  const auto rows = read_trimmed("a\n\n  \r\nb\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_THAT(rows[1].cells, ElementsAre("b"));
}

TEST(CsvReaderTrimmingBlanks, ByteOrderMarkIgnored) {
  const auto rows = read_trimmed("\xEF\xBB\xBFprefix,rate\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre("prefix", "rate"));
}

TEST(CsvReaderTrimmingBlanks, UnclosedQuoteIsAnError) {
  const auto rows = read_trimmed("a\n\"open,b\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 2);
  // The deck parser words it "a quoted field is not closed" (rate_deck_test.cpp).
  EXPECT_EQ(rows[1].problem, CsvProblem::kUnclosedQuote);
  EXPECT_FALSE(rows[1].error.empty());
}

TEST(CsvReaderTrimmingBlanks, TextAfterClosingQuoteIsAnError) {
  const auto rows = read_trimmed("\"a\"b,c\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].error.empty());
}

TEST(CsvReaderTrimmingBlanks, QuoteInsideUnquotedFieldIsAnError) {
  const auto rows = read_trimmed("a\"b,c\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].error.empty());
}

TEST(CsvReaderTrimmingBlanks, EmptyInput) {
  EXPECT_TRUE(read_trimmed("").empty());
  EXPECT_TRUE(read_trimmed("\n\n").empty());
}

}  // namespace
}  // namespace cdrd
