import { useMutation, useQuery } from "convex/react";
import { api } from "../convex/_generated/api";
import type { Id } from "../convex/_generated/dataModel";

export function TaskList({ teamId }: { teamId: Id<"teams"> }) {
  const tasks = useQuery(api.tasks.list, { teamId, onlyOpen: true });
  const update = useMutation(api.tasks.update);
  if (!tasks) return null;
  return (
    <ul>
      {tasks.map((task) => (
        <li key={task._id}>
          <input type="checkbox" checked={task.done} onChange={() => update({ id: task._id, done: !task.done })} />
          {task.title}
        </li>
      ))}
    </ul>
  );
}
