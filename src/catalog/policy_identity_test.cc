#include "catalog/policy_identity.h"

#include <gtest/gtest.h>

namespace pareto::catalog {
namespace {

TEST(PolicyIdentityTest, MasksThatLeaveTheColumnAsItIs) {
  EXPECT_TRUE(IsIdentityMask("zip", "zip"));
  EXPECT_TRUE(IsIdentityMask("(\"Zip\")", "zip"));
  EXPECT_TRUE(IsIdentityMask("CASE WHEN TRUE THEN zip ELSE NULL END", "zip"));
  EXPECT_TRUE(IsIdentityMask("case when TRUE or FALSE then zip end", "ZIP"));
  EXPECT_TRUE(IsIdentityMask("CASE WHEN TRUE THEN city ELSE '***' END", "city"));
  // The admin's binding of pipelines/olist's mask: is_member('admin') OR is_member('analysts').
  EXPECT_TRUE(IsIdentityMask("CASE WHEN TRUE OR FALSE THEN zip_code_prefix ELSE NULL END", "zip_code_prefix"));
  EXPECT_TRUE(IsIdentityMask("CASE WHEN (FALSE OR TRUE) AND TRUE THEN zip ELSE NULL END", "zip"));
  // NULL OR TRUE is TRUE: a disjunction with TRUE holds whatever the column is.
  EXPECT_TRUE(IsIdentityMask("CASE WHEN zip = 'x' OR TRUE THEN zip END", "zip"));
}

TEST(PolicyIdentityTest, MasksThatChangeOrMightChangeTheColumnAreNot) {
  EXPECT_FALSE(IsIdentityMask("CASE WHEN FALSE OR FALSE THEN zip ELSE NULL END", "zip"));
  EXPECT_FALSE(IsIdentityMask("CASE WHEN TRUE AND FALSE THEN zip ELSE NULL END", "zip"));
  EXPECT_FALSE(IsIdentityMask("CASE WHEN TRUE THEN city ELSE NULL END", "zip"));  // another column
  EXPECT_FALSE(IsIdentityMask("CASE WHEN TRUE THEN zip ELSE 0 END", "zip"));      // may change the type
  EXPECT_FALSE(IsIdentityMask("CASE WHEN TRUE THEN zip ELSE \"other\" END", "zip"));  // another column
  EXPECT_FALSE(IsIdentityMask("CASE WHEN FALSE THEN city ELSE '***' END", "city"));
  EXPECT_FALSE(IsIdentityMask("CASE WHEN TRUE THEN zip WHEN TRUE THEN 1 END", "zip"));
  EXPECT_FALSE(IsIdentityMask("left(zip, 2)", "zip"));
  EXPECT_FALSE(IsIdentityMask("NULL", "zip"));
  EXPECT_FALSE(IsIdentityMask("'zip'", "zip"));  // a string, not the column
  EXPECT_FALSE(IsIdentityMask("CASE WHEN current_setting('x') THEN zip END", "zip"));
  EXPECT_FALSE(IsIdentityMask("CASE WHEN $$x$$ = 'x' OR TRUE THEN zip END", "zip"));
  EXPECT_FALSE(IsIdentityMask("", "zip"));
}

TEST(PolicyIdentityTest, FiltersThatLetEveryRowPass) {
  EXPECT_TRUE(IsIdentityFilter("TRUE"));
  EXPECT_TRUE(IsIdentityFilter("TRUE OR TRUE OR (FALSE AND state IN ('SP'))"));  // admin, pipelines/olist
  EXPECT_TRUE(IsIdentityFilter("FALSE OR TRUE OR (FALSE AND state IN ('SP'))"));  // an analyst
  EXPECT_TRUE(IsIdentityFilter("(state = 'SP') OR (TRUE)"));
  EXPECT_TRUE(IsIdentityFilter("TRUE AND (TRUE OR x > 1)"));
}

TEST(PolicyIdentityTest, FiltersThatMightDropARowAreNot) {
  EXPECT_FALSE(IsIdentityFilter("FALSE OR FALSE OR (TRUE AND state IN ('SP'))"));  // region_sp
  EXPECT_FALSE(IsIdentityFilter("TRUE AND state = 'SP'"));
  EXPECT_FALSE(IsIdentityFilter("state = TRUE"));
  EXPECT_FALSE(IsIdentityFilter("NOT TRUE"));
  EXPECT_FALSE(IsIdentityFilter("TRUE::INT = 2"));
  EXPECT_FALSE(IsIdentityFilter("x = 'a) OR (TRUE'"));              // the OR is inside a string
  EXPECT_FALSE(IsIdentityFilter("CASE WHEN x THEN FALSE ELSE TRUE OR y END"));
  EXPECT_FALSE(IsIdentityFilter("CASE WHEN a OR TRUE OR b THEN FALSE END"));  // the OR is inside a CASE
  EXPECT_FALSE(IsIdentityFilter("TRUE) AND (FALSE"));                // would close the view's parentheses
  EXPECT_FALSE(IsIdentityFilter("x = E'\\' OR TRUE OR '"));         // an escaped quote is not reasoned about
  EXPECT_FALSE(IsIdentityFilter("x = $$ ' $$ OR TRUE"));
  EXPECT_FALSE(IsIdentityFilter("'unclosed OR TRUE"));
  EXPECT_FALSE(IsIdentityFilter(""));
}

}  // namespace
}  // namespace pareto::catalog
