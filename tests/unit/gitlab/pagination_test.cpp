#include "gitlab/pagination.hpp"

#include <gtest/gtest.h>

namespace provisio::gitlab {
namespace {

TEST(LinkHeader, ParsesEveryRelation) {
  // The documentation's example (CONTRACT.md §1.1).
  const std::string link =
      "<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; "
      "rel=\"prev\", "
      "<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; "
      "rel=\"next\", "
      "<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; "
      "rel=\"first\", "
      "<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; "
      "rel=\"last\"";
  const auto rels = parse_link_header(link);
  ASSERT_EQ(rels.size(), 4u);
  EXPECT_EQ(rels.at("next"),
            "https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3");
  EXPECT_TRUE(parse_link_header("").empty());
  EXPECT_TRUE(parse_link_header("garbage").empty());
}

TEST(PageInfo, ReadsNextPageAndTotals) {
  TransportResponse r;
  r.headers = {{"x-next-page", "3"}, {"x-total-pages", "3"}, {"x-page", "2"}};
  auto info = page_info(r);
  EXPECT_TRUE(info.has_next);
  EXPECT_EQ(info.next_page, 3);
  EXPECT_EQ(info.total_pages, 3);
}

TEST(PageInfo, AnEmptyNextPageEndsTheListing) {
  TransportResponse r;
  r.headers = {{"x-next-page", ""}, {"x-page", "3"}};
  auto info = page_info(r);
  EXPECT_FALSE(info.has_next);
  EXPECT_FALSE(info.total_pages);
}

TEST(PageInfo, KeysetListingsHaveOnlyALink) {
  TransportResponse r;
  r.headers = {{"link", "<https://h/api/v4/projects?id_after=42&pagination=keyset>; rel=\"next\""}};
  auto info = page_info(r);
  EXPECT_TRUE(info.has_next);
  EXPECT_FALSE(info.next_page);
  EXPECT_EQ(info.next_url, "https://h/api/v4/projects?id_after=42&pagination=keyset");
}

}  // namespace
}  // namespace provisio::gitlab
