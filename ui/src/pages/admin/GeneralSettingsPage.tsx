// Administration › Configuration › General Settings, laid out as SonarQube lays it out, so that
// an administrator following SonarQube's page clicks the same controls in turn: the
// "Configuration" menu of the administration bar, its "General Settings", the "Authentication"
// category tab and the "GitLab" tab, which holds the GitLab page. The category and the tab are in
// the address (?category=authentication&tab=gitlab), as in SonarQube.
import { navigate } from "../../components/router";
import { MenuButton, Tabs } from "../../components/menus";
import { SETTINGS_PATH, settingsPath } from "../../logic/routes";
import { GitlabPage } from "../gitlab/GitlabPage";

const CATEGORIES = [{ key: "authentication", label: "Authentication" }];
const AUTHENTICATION_TABS = [{ key: "gitlab", label: "GitLab" }];

// The administration's own bar: its menus, of which Provisio has one.
export function AdministrationBar() {
  return (
    <nav class="subnav" aria-label="Settings menus">
      <MenuButton label="Configuration" items={[{ label: "General Settings", href: SETTINGS_PATH }]} />
    </nav>
  );
}

export function GeneralSettingsPage({ category, tab }: { category: string | null; tab: string | null }) {
  const selectedCategory = CATEGORIES.find((c) => c.key === category)?.key ?? CATEGORIES[0]!.key;
  const selectedTab = AUTHENTICATION_TABS.find((t) => t.key === tab)?.key ?? AUTHENTICATION_TABS[0]!.key;
  return (
    <>
      <AdministrationBar />
      <h1>General Settings</h1>
      <p class="lead">Edit the settings of this server.</p>
      <Tabs
        label="Categories"
        tabs={CATEGORIES}
        selected={selectedCategory}
        onSelect={(key) => navigate(settingsPath(key, selectedTab), true)}
        vertical
      >
        <Tabs
          label="Authentication methods"
          tabs={AUTHENTICATION_TABS}
          selected={selectedTab}
          onSelect={(key) => navigate(settingsPath(selectedCategory, key), true)}
        >
          <GitlabPage />
        </Tabs>
      </Tabs>
    </>
  );
}
