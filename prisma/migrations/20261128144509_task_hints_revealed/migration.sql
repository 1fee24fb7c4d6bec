-- AlterTable
ALTER TABLE "task_results" ADD COLUMN     "hintsRevealed" INTEGER NOT NULL DEFAULT 0;
