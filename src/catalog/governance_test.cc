// Principals, grants, owners, policies and the audit log, on a real metastore.
#include <filesystem>

#include <gtest/gtest.h>

#include "catalog/audit.h"
#include "catalog/column_policies.h"
#include "catalog/grants.h"
#include "catalog/migrations.h"
#include "catalog/principals.h"
#include "catalog/test_util.h"
#include "catalog/tokens.h"

namespace pareto::catalog {
namespace {

using ::pareto::catalog::testing::TempDir;

Securable Table(std::string name) { return {SecurableKind::kTable, std::move(name)}; }
Securable Schema(std::string name) { return {SecurableKind::kSchema, std::move(name)}; }
Securable Catalog(std::string name) { return {SecurableKind::kCatalog, std::move(name)}; }

bool Allowed(Metastore& ms, std::string_view who, Privilege p, const Securable& on) {
  auto d = Decide(ms, who, p, on);
  EXPECT_TRUE(d.has_value()) << d.error().message();
  return d.has_value() && d->allowed;
}

class GovernanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ms = Metastore::Open(dir_.path());
    ASSERT_TRUE(ms.has_value()) << ms.error().message();
    ms_.emplace(std::move(*ms));
    ASSERT_TRUE(AddPrincipal(*ms_, "mia", PrincipalKind::kUser).ok());
    ASSERT_TRUE(AddPrincipal(*ms_, "ana", PrincipalKind::kUser).ok());
    ASSERT_TRUE(AddPrincipal(*ms_, "marketing", PrincipalKind::kGroup).ok());
    ASSERT_TRUE(AddPrincipal(*ms_, "analysts", PrincipalKind::kGroup).ok());
    ASSERT_TRUE(AddGroupMember(*ms_, "marketing", "mia").ok());
    ASSERT_TRUE(AddGroupMember(*ms_, "analysts", "ana").ok());
  }
  Metastore& ms() { return *ms_; }
  TempDir dir_;
  std::optional<Metastore> ms_;
};

TEST_F(GovernanceTest, AFreshLakehouseHasOneAdminWhoMayDoEverything) {
  auto all = ListPrincipals(ms());
  ASSERT_TRUE(all.has_value());
  int admins = 0;
  for (const Principal& p : *all) admins += p.is_admin;
  EXPECT_EQ(admins, 1);
  EXPECT_TRUE(Allowed(ms(), "admin", Privilege::kModify, Table("olist.bronze.brz_orders")));
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.bronze.brz_orders")));
  EXPECT_EQ(Decide(ms(), "nobody", Privilege::kSelect, Table("olist.gold.x")).error().code(), StatusCode::kNotFound);
}

TEST_F(GovernanceTest, ASchemaGrantToAGroupHoldsForItsTablesAndMembersOnlyWithUsePrivileges) {
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Schema("olist.gold"), "marketing").ok());
  // SELECT alone does not reach inside a catalog the group may not use.
  auto d = Decide(ms(), "mia", Privilege::kSelect, Table("olist.gold.gld_kpis"));
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(d->allowed);
  EXPECT_EQ(d->reason, "mia lacks USE CATALOG on CATALOG olist");
  ASSERT_TRUE(Grant(ms(), Privilege::kUseCatalog, Catalog("olist"), "marketing").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kUseSchema, Schema("olist.gold"), "marketing").ok());
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.gold.gld_kpis")));
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kSelect, Table("OLIST.Gold.gld_daily_revenue")));
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.silver.slv_customers")));
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kModify, Table("olist.gold.gld_kpis")));
  EXPECT_FALSE(Allowed(ms(), "ana", Privilege::kSelect, Table("olist.gold.gld_kpis")));  // not in marketing
}

TEST_F(GovernanceTest, ACatalogGrantIsInheritedByEverySchemaAndTable) {
  ASSERT_TRUE(Grant(ms(), Privilege::kUseCatalog, Catalog("olist"), "analysts").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kUseSchema, Catalog("olist"), "analysts").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Catalog("olist"), "analysts").ok());
  EXPECT_TRUE(Allowed(ms(), "ana", Privilege::kSelect, Table("olist.silver.slv_customers")));
  EXPECT_TRUE(Allowed(ms(), "ana", Privilege::kSelect, Table("olist.bronze.brz_orders")));
  EXPECT_FALSE(Allowed(ms(), "ana", Privilege::kSelect, Table("other.bronze.brz_orders")));
}

TEST_F(GovernanceTest, RevokingTakesEffectOnTheNextDecisionAndBumpsTheEpoch) {
  ASSERT_TRUE(Grant(ms(), Privilege::kUseCatalog, Catalog("olist"), "mia").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kUseSchema, Schema("olist.gold"), "mia").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Table("olist.gold.gld_kpis"), "mia").ok());
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.gold.gld_kpis")));
  const int64_t before = GovernanceEpoch(ms()).value();
  ASSERT_TRUE(Revoke(ms(), Privilege::kSelect, Table("olist.gold.gld_kpis"), "mia").ok());
  EXPECT_GT(GovernanceEpoch(ms()).value(), before);
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.gold.gld_kpis")));
  EXPECT_EQ(Revoke(ms(), Privilege::kSelect, Table("olist.gold.gld_kpis"), "mia").code(), StatusCode::kNotFound);
}

TEST_F(GovernanceTest, RemovingAMemberFromAGroupRemovesWhatTheGroupHolds) {
  ASSERT_TRUE(AddPrincipal(ms(), "staff", PrincipalKind::kGroup).ok());
  ASSERT_TRUE(AddGroupMember(ms(), "staff", "marketing").ok());  // a group in a group
  ASSERT_TRUE(Grant(ms(), Privilege::kUseCatalog, Catalog("olist"), "staff").ok());
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kUseCatalog, Catalog("olist")));
  EXPECT_EQ(AddGroupMember(ms(), "mia", "staff").code(), StatusCode::kInvalidArgument);  // mia is a user
  EXPECT_EQ(AddGroupMember(ms(), "marketing", "staff").code(), StatusCode::kInvalidArgument);  // a cycle
  ASSERT_TRUE(RemoveGroupMember(ms(), "marketing", "mia").ok());
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kUseCatalog, Catalog("olist")));
}

TEST_F(GovernanceTest, AnOwnerHoldsEveryPrivilegeOnItsObjectAndBelow) {
  ASSERT_EQ(OwnerOf(ms(), Schema("olist.gold")).value(), "admin");
  ASSERT_TRUE(Grant(ms(), Privilege::kUseCatalog, Catalog("olist"), "mia").ok());
  ASSERT_TRUE(SetOwner(ms(), Schema("olist.gold"), "mia").ok());
  EXPECT_EQ(OwnerOf(ms(), Schema("olist.gold")).value(), "mia");
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kModify, Table("olist.gold.gld_kpis")));
  EXPECT_TRUE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.gold.gld_kpis")));
  EXPECT_FALSE(Allowed(ms(), "mia", Privilege::kSelect, Table("olist.silver.slv_customers")));
  EXPECT_EQ(SetOwner(ms(), Schema("olist.gold"), "nobody").code(), StatusCode::kNotFound);
}

TEST_F(GovernanceTest, GrantsAreListedByObjectAndByPrincipalAndChecked) {
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Schema("olist.gold"), "marketing").ok());
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Schema("olist.gold"), "marketing").ok());  // twice is fine
  ASSERT_TRUE(Grant(ms(), Privilege::kSelect, Schema("olist.silver"), "analysts").ok());
  EXPECT_EQ(ListGrants(ms(), Schema("olist.gold"))->size(), 1u);
  EXPECT_EQ(ListGrants(ms(), std::nullopt, "analysts")->size(), 1u);
  EXPECT_EQ(ListGrants(ms(), std::nullopt)->size(), 2u);
  EXPECT_EQ(Grant(ms(), Privilege::kUseCatalog, Schema("olist.gold"), "mia").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Grant(ms(), Privilege::kSelect, Schema("olist.gold"), "nobody").code(), StatusCode::kNotFound);
  EXPECT_FALSE(ParseSecurable("SCHEMA", "olist").has_value());
  EXPECT_FALSE(ParseSecurable("view", "a.b.c").has_value());
  EXPECT_EQ(ParseSecurable("schema", "Olist.Gold")->name, "olist.gold");
  EXPECT_EQ(ParsePrivilege("use_schema").value(), Privilege::kUseSchema);
  EXPECT_EQ(AddPrincipal(ms(), "MIA", PrincipalKind::kGroup).code(), StatusCode::kAlreadyExists);
}

TEST_F(GovernanceTest, IsMemberAndCurrentUserBecomeConstantsOfThePrincipal) {
  const Principal ana = LoadPrincipal(ms(), "ana").value();
  const Principal mia = LoadPrincipal(ms(), "mia").value();
  const std::string mask = "CASE WHEN is_member('analysts') THEN zip ELSE NULL END -- is_member('x')";
  EXPECT_EQ(BindPrincipal(mask, ana).value(), "CASE WHEN TRUE THEN zip ELSE NULL END ");
  EXPECT_EQ(BindPrincipal(mask, mia).value(), "CASE WHEN FALSE THEN zip ELSE NULL END ");
  EXPECT_EQ(BindPrincipal("owner = current_user() OR note = 'is_member(''analysts'')'", mia).value(),
            "owner = 'mia' OR note = 'is_member(''analysts'')'");
  EXPECT_FALSE(BindPrincipal("is_member(group_col)", mia).has_value());
}

TEST_F(GovernanceTest, PoliciesAreReplacedAsAWhole) {
  ColumnPolicies p{.masks = {{"olist.silver.slv_customers", "customer_city", "NULL"}},
                   .row_filters = {{"olist.silver.slv_customers", "customer_state = 'SP'"}}};
  ASSERT_TRUE(ReplacePolicies(ms(), p).ok());
  EXPECT_EQ(LoadPolicies(ms())->masks.size(), 1u);
  p.masks.push_back(p.masks.front());
  EXPECT_EQ(ReplacePolicies(ms(), p).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(ReplacePolicies(ms(), {}).ok());
  EXPECT_TRUE(LoadPolicies(ms())->masks.empty());
  EXPECT_EQ(ReplacePolicies(ms(), {.masks = {{"slv_customers", "c", "NULL"}}}).code(), StatusCode::kInvalidArgument);
}

TEST_F(GovernanceTest, TheAuditLogKeepsWhoWhatWhereAndTheVerdict) {
  ASSERT_TRUE(RecordAudit(ms(), {.principal = "mia", .source = "api", .address = "10.0.0.7", .action = "sql",
                                 .text = "SELECT 1 FROM olist.silver.slv_customers",
                                 .objects = {"olist.silver.slv_customers"}, .allowed = false, .reason = "no"})
                  .ok());
  ASSERT_TRUE(RecordAudit(ms(), {.principal = "ana", .source = "cli", .action = "sql", .text = "SELECT 1"}).ok());
  auto mia = ListAudit(ms(), {.principal = "mia"});
  ASSERT_TRUE(mia.has_value());
  ASSERT_EQ(mia->size(), 1u);
  EXPECT_EQ((*mia)[0].address, "10.0.0.7");
  EXPECT_FALSE((*mia)[0].allowed);
  EXPECT_EQ((*mia)[0].objects, std::vector<std::string>{"olist.silver.slv_customers"});
  EXPECT_EQ(ListAudit(ms(), {.allowed = false})->size(), 1u);
  EXPECT_EQ(ListAudit(ms())->size(), 2u);
  EXPECT_EQ(ListAudit(ms(), {.since_ms = ms().NowMs() + 60'000})->size(), 0u);
}

TEST_F(GovernanceTest, ATokenActsAsItsUser) {
  auto admin_token = CreateToken(ms(), "ops");
  auto mia_token = CreateToken(ms(), "mia-laptop", "mia");
  ASSERT_TRUE(admin_token.has_value() && mia_token.has_value());
  EXPECT_EQ(CheckTokenHolder(ms(), *admin_token).value()->user, "admin");
  EXPECT_EQ(CheckTokenHolder(ms(), *mia_token).value()->user, "mia");
  EXPECT_EQ(CreateToken(ms(), "group-token", "marketing").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateToken(ms(), "ghost", "nobody").error().code(), StatusCode::kNotFound);
}

TEST(GovernanceMigrationTest, TokensIssuedBeforeGovernanceBelongToTheAdmin) {
  TempDir dir;
  {
    std::filesystem::create_directories(dir.path() + "/_meta");
    auto db = sqlite::Db::Open(dir.path() + "/_meta/metastore.db");
    ASSERT_TRUE(db.has_value()) << db.error().message();
    ASSERT_TRUE(ApplyMigrations(*db, Migrations().first(8), 1).has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO api_tokens(name, hash, created_ms) VALUES ('old', 'h', 1)").ok());
  }
  auto ms = Metastore::Open(dir.path());
  ASSERT_TRUE(ms.has_value()) << ms.error().message();
  auto tokens = ListTokens(*ms);
  ASSERT_TRUE(tokens.has_value());
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ((*tokens)[0].user, "admin");
}

}  // namespace
}  // namespace pareto::catalog
