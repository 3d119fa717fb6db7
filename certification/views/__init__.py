"""Views of the certification app: ``sessions`` (list, create, change, delete, the tabs
« Détails » and « Candidats »), ``candidates_add`` (« Ajouter des candidats » from the
institution's students) and ``documents`` (attendance sheet, candidates list, invigilator
kit)."""
