// The changes of a plan as a table: what is done, to what, from what to what, and the GitLab fact
// that causes it. Narrow windows stack each row into labelled lines (styles.css, .list).
import type { PlanChange } from "../api/types";
import { describeChange } from "../logic/sync_status";

export function ChangesTable({ caption, changes }: { caption: string; changes: PlanChange[] }) {
  return (
    <table class="list plan-changes">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Change</th>
          <th scope="col">Of</th>
          <th scope="col">From → to</th>
          <th scope="col">Cause in GitLab</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c, i) => {
          const d = describeChange(c);
          return (
            <tr key={i}>
              <th scope="row" data-label="Change">
                {d.action}
              </th>
              <td data-label="Of" class="entity">
                {d.entity}
              </td>
              <td data-label="From → to">{d.change || "—"}</td>
              <td data-label="Cause in GitLab">{c.cause ?? "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

