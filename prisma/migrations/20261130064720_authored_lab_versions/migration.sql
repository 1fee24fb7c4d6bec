-- CreateEnum
CREATE TYPE "LabOrigin" AS ENUM ('builtin', 'authored');

-- AlterTable
ALTER TABLE "labs" ADD COLUMN     "currentVersionId" TEXT,
ADD COLUMN     "origin" "LabOrigin" NOT NULL DEFAULT 'builtin',
ADD COLUMN     "ownerId" TEXT;

-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "labVersionId" TEXT;

-- AlterTable
ALTER TABLE "cohort_labs" ADD COLUMN     "pinnedVersion" INTEGER;

-- AlterTable
ALTER TABLE "api_tokens" ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY['read']::TEXT[];

-- CreateTable
CREATE TABLE "lab_versions" (
    "id" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "sourceHash" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "authorId" TEXT,
    "problems" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "testStatus" TEXT NOT NULL DEFAULT 'untested',
    "testReport" JSONB,
    "publishedAt" TIMESTAMP(3),
    "publishedBy" TEXT,
    "publishOverride" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lab_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lab_versions_labId_number_key" ON "lab_versions"("labId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "labs_currentVersionId_key" ON "labs"("currentVersionId");

-- AddForeignKey
ALTER TABLE "labs" ADD CONSTRAINT "labs_currentVersionId_fkey" FOREIGN KEY ("currentVersionId") REFERENCES "lab_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lab_versions" ADD CONSTRAINT "lab_versions_labId_fkey" FOREIGN KEY ("labId") REFERENCES "labs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lab_sessions" ADD CONSTRAINT "lab_sessions_labVersionId_fkey" FOREIGN KEY ("labVersionId") REFERENCES "lab_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
