"use client";

import { useMutation, useQuery } from "convex/react";
import { api } from "@/convex/_generated/api";
import NoteCard from "@/components/NoteCard";

export default function NotesPage() {
  const notes = useQuery(api.notes.list);
  const create = useMutation(api.notes.create);

  async function downloadExport() {
    const response = await fetch(`${process.env.NEXT_PUBLIC_CONVEX_URL}/export`);
    const blob = await response.blob();
    window.open(URL.createObjectURL(blob));
  }

  return (
    <main className="mx-auto max-w-2xl p-6">
      <button onClick={() => create({ title: "Untitled", content: "", summarize: false })}>New note</button>
      <button onClick={downloadExport}>Export</button>
      <ul>
        {notes.map((note) => (
          <NoteCard key={note._id} note={note} />
        ))}
      </ul>
    </main>
  );
}
