import { useMutation } from "convex/react";
import { api } from "@/convex/_generated/api";
import type { Doc } from "@/convex/_generated/dataModel";

export default function NoteCard({ note }: { note: Doc<"notes"> }) {
  const remove = useMutation(api.notes.remove);
  return (
    <li className="rounded border p-3">
      <h2 className="font-semibold">{note.title}</h2>
      {note.summary ? <p className="text-sm text-gray-500">{note.summary}</p> : null}
      <button onClick={() => void remove({ id: note._id })}>Delete</button>
    </li>
  );
}
