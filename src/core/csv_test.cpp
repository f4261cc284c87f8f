// Tests of the RFC 4180 reader.
#include "core/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cdrd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<CsvRow> read_all(std::string_view text, std::int64_t first_line = 1) {
  CsvReader reader(text, first_line);
  std::vector<CsvRow> rows;
  CsvRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

TEST(CsvReader, PlainRowsWithAndWithoutFinalLineBreak) {
  auto rows = read_all("a,b,c\n1,2,3");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2", "3"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(read_all("a,b\n").size(), 1u);
}

TEST(CsvReader, EmptyCellsAndTrailingComma) {
  auto rows = read_all(",x,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].cells, ElementsAre("", "x", ""));
}

TEST(CsvReader, QuotedFieldsWithCommasQuotesAndLineBreaks) {
  auto rows = read_all("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,\"\"\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a,b", "say \"hi\"", "two\nlines"));
  EXPECT_THAT(rows[1].cells, ElementsAre("next", ""));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 3);  // the quoted line break counts
}

TEST(CsvReader, CrlfAndBlankLines) {
  auto rows = read_all("\r\na,b\r\n\r\n   \r\n1,2\r\n\r\n", 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].cells, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].cells, ElementsAre("1", "2"));
  EXPECT_EQ(rows[0].line, 11);
  EXPECT_EQ(rows[1].line, 14);
}

TEST(CsvReader, CharacterAfterClosingQuoteIsAnErrorAndReadingResumes) {
  auto rows = read_all("\"a\"b,c\nx,y\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].error, HasSubstr("after the closing quote"));
  EXPECT_TRUE(rows[0].cells.empty());
  EXPECT_THAT(rows[1].cells, ElementsAre("x", "y"));
  EXPECT_EQ(rows[1].line, 2);
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnError) {
  auto rows = read_all("ab\"c,d\nx\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].error, HasSubstr("CSV field 1"));
  EXPECT_THAT(rows[1].cells, ElementsAre("x"));
}

TEST(CsvReader, UnterminatedQuoteEndsTheInput) {
  auto rows = read_all("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_THAT(rows[1].error, HasSubstr("CSV field 2: quoted field is never closed"));
}

TEST(CsvReader, EmptyInput) {
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\n\n  \n").empty());
}

}  // namespace
}  // namespace cdrd
