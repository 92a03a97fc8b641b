"""Article texts for the sample mirror and the benchmark site.

The seed article (Phú Yên, 19 January 2024) is reproduced verbatim as a reader saw it. The other
articles are composed from the topic templates below with a fixed seed: they read like provincial
news but describe no real event, and the mirror's meta.json says so.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from scraper.core.text import fold

SEED_TITLE = "Ban Chỉ đạo 35 tỉnh tổng kết công tác năm 2023, triển khai nhiệm vụ năm 2024"
SEED_DATE = "10:22, 19/01/2024 [GMT+7]"
SEED_AUTHOR = "Đắc Lâm"
SEED_PARAGRAPHS = [
    "Chiều 18/01, Ban Chỉ đạo 35 tỉnh về tăng cường bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, "
    "thù địch đã tổng kết hoạt động năm 2023 và đề ra phương hướng, nhiệm vụ năm 2024. Các đồng chí: Cao Thị Hòa An, Phó Bí thư "
    "thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh, Trưởng ban Chỉ đạo 35 tỉnh; Bùi Thanh Toàn, Ủy viên Ban Thường vụ, Trưởng ban Tuyên "
    "giáo Tỉnh ủy, Phó Trưởng ban trực ban Chỉ đạo 35 tỉnh; Đào Mỹ, Phó Chủ tịch UBND tỉnh, Phó Trưởng ban Chỉ đạo 35 tỉnh chủ trì "
    "hội nghị.",
    "Trong năm 2023, dưới sự lãnh đạo, chỉ đạo, điều hành chủ động, tích cực của cấp ủy, chính quyền, Ban chỉ đạo 35 các cấp, công "
    "tác bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch được triển khai đồng bộ, toàn diện, "
    "đạt nhiều kết quả tích cực. Các cấp ủy, chính quyền đẩy mạnh thông tin, tuyên truyền về đường lối, chủ trương của Đảng, chính "
    "sách, pháp luật của Nhà nước; tích cực quảng bá, giới thiệu hình ảnh, tiềm năng, thế mạnh, thành tựu phát triển của đất nước, "
    "của tỉnh; đồng thời khai thác, lan tỏa, chia sẻ các thông tin chính thống, tích cực trên hệ thống cổng/trang thông tin điện tử, "
    "tài khoản mạng xã hội tạo thành dòng chủ lưu góp phần đẩy lùi các luồng thông tin xấu, độc trên không gian mạng.",
    "Phát biểu tại hội nghị, đồng chí Trưởng ban Chỉ đạo 35 tỉnh Cao Thị Hòa An đề nghị các thành viên Ban Chỉ đạo 35 tỉnh, Ban chỉ "
    "đạo 35 các huyện, thị, thành ủy, đảng ủy trực thuộc, các cơ quan, đơn vị liên quan căn cứ Kế hoạch công tác của Ban Chỉ đạo "
    "trong năm 2024, khẩn trương xây dựng kế hoạch triển khai thực hiện các nhiệm vụ đề ra bảo đảm nghiêm túc, hiệu quả, phù hợp với "
    "tình hình thực tiễn; tiếp tục phát huy vai trò, trách nhiệm, giúp Ban Chỉ đạo tỉnh lãnh đạo, chỉ đạo thực hiện tốt nhiệm vụ bảo "
    "vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch tại ngành, lĩnh vực, địa bàn mình phụ trách. "
    "Tăng cường tuyên truyền sâu rộng đến cán bộ, đảng viên và Nhân dân trên địa bàn, nhất là giới trẻ về truyền thống văn hóa, "
    "thành quả cách mạng của Đảng, dân tộc, quê hương, đất nước; gương điển hình tiên tiến, người tốt việc tốt, lất át, giảm tác "
    "động ảnh hưởng của thông tin xấu, độc trên không gian mạng.",
]

PROVINCES = {
    "Phú Yên": {
        "districts": ["Tuy An", "Đồng Xuân", "Sơn Hòa", "Sông Hinh", "Tây Hòa", "Phú Hòa", "Đông Hòa", "Sông Cầu", "Tuy Hòa"],
        "leaders": ["Tạ Anh Tuấn", "Đào Mỹ", "Lê Tấn Hổ", "Nguyễn Thị Ngọc Hà"],
        "zone": "Khu kinh tế Nam Phú Yên",
        "authors": ["Đắc Lâm", "Minh Quân", "Hoàng Tâm", "Ngọc Thơ", "Thúy Hằng"],
    },
    "Quảng Ngãi": {
        "districts": ["Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Nghĩa Hành", "Mộ Đức", "Đức Phổ", "Ba Tơ", "Minh Long", "Trà Bồng", "Lý Sơn"],
        "leaders": ["Đặng Văn Minh", "Trần Hoàng Tuấn", "Võ Phiên", "Nguyễn Hoàng Giang"],
        "zone": "Khu kinh tế Dung Quất",
        "authors": ["Thanh Như", "Bảo Trân", "Đình Hiệp", "Tường Vy", "Phạm Linh"],
    },
    # Invented names: the vendor-CMS mirror stands for no real portal's staff.
    "Khánh Hòa": {
        "districts": ["Vạn Ninh", "Ninh Hòa", "Diên Khánh", "Khánh Vĩnh", "Cam Lâm", "Khánh Sơn", "Cam Ranh", "Trường Sa"],
        "leaders": ["Trần Minh Khoa", "Lê Thị Thu Hà", "Phạm Quốc Bảo", "Nguyễn Hữu Tâm"],
        "zone": "Khu kinh tế Vân Phong",
        "authors": ["Hải Lăng", "Minh Phương", "Quốc Việt", "Thu Trang", "Bích La"],
    },
}

# (category, title, lead, paragraphs). Slots: {p} province, {d} district, {l} leader, {z} zone,
# {m} month, {y} year, {n}/{k}/{q} numbers.
TOPICS = [
    ("Tin tức - Sự kiện", "UBND tỉnh họp phiên thường kỳ tháng {m}/{y}",
     "Sáng nay, UBND tỉnh {p} tổ chức phiên họp thường kỳ tháng {m} để đánh giá tình hình kinh tế - xã hội.",
     ["Phiên họp do đồng chí {l}, Chủ tịch UBND tỉnh chủ trì. Theo báo cáo, tổng thu ngân sách nhà nước trên địa bàn ước đạt {n} tỷ "
      "đồng, tăng {k}% so với cùng kỳ năm trước.",
      "Các đại biểu tập trung thảo luận về tiến độ giải ngân vốn đầu tư công, công tác giải phóng mặt bằng các dự án trọng điểm và "
      "việc chuẩn bị các điều kiện bảo đảm an sinh xã hội.",
      "Kết luận phiên họp, đồng chí {l} yêu cầu các sở, ngành, địa phương khẩn trương tháo gỡ khó khăn, vướng mắc, phấn đấu hoàn "
      "thành cao nhất các chỉ tiêu kế hoạch năm {y}."]),
    ("Tin tức - Sự kiện", "Hội nghị triển khai nhiệm vụ chuyển đổi số năm {y}",
     "Hội nghị nhằm thống nhất các giải pháp đẩy mạnh chuyển đổi số trong cơ quan nhà nước trên địa bàn tỉnh {p}.",
     ["Năm qua, tỉ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình đạt {k}%, hệ thống quản lý văn bản và điều hành "
      "đã kết nối liên thông đến {n} đơn vị.",
      "Hội nghị đã nghe các doanh nghiệp viễn thông giới thiệu giải pháp chính quyền số, đô thị thông minh và nền tảng dữ liệu dùng "
      "chung của tỉnh.",
      "Phát biểu chỉ đạo, đồng chí {l} đề nghị người đứng đầu các cơ quan, đơn vị trực tiếp chỉ đạo công tác chuyển đổi số, coi đây "
      "là nhiệm vụ trọng tâm, thường xuyên."]),
    ("Tin tức - Sự kiện", "Kiểm tra tiến độ xây dựng nông thôn mới tại huyện {d}",
     "Đoàn công tác của tỉnh đã kiểm tra thực tế việc thực hiện các tiêu chí nông thôn mới nâng cao tại huyện {d}.",
     ["Theo báo cáo của UBND huyện {d}, đến nay toàn huyện có {k} xã đạt chuẩn nông thôn mới, trong đó nhiều xã đạt chuẩn nông thôn "
      "mới nâng cao; thu nhập bình quân đầu người đạt {q} triệu đồng mỗi năm.",
      "Đoàn đã khảo sát các công trình giao thông nông thôn, trường học, nhà văn hóa thôn và mô hình sản xuất nông nghiệp ứng dụng "
      "công nghệ cao.",
      "Đồng chí {l} ghi nhận những kết quả huyện {d} đạt được, đồng thời lưu ý địa phương chú trọng tiêu chí môi trường, an ninh "
      "trật tự và nâng cao đời sống tinh thần của người dân."]),
    ("Tin tức - Sự kiện", "Triển khai kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm {y}",
     "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh {p} đã tổ chức hội nghị triển khai nhiệm vụ năm {y}.",
     ["Năm qua, thiên tai đã làm hư hại {n} ngôi nhà và nhiều công trình thủy lợi, giao thông; tổng thiệt hại ước tính hơn {k} tỷ đồng.",
      "Các địa phương ven biển đã chủ động rà soát phương án sơ tán dân, bố trí lực lượng, phương tiện tại chỗ theo phương châm bốn "
      "tại chỗ.",
      "Hội nghị yêu cầu các ngành chức năng kiểm tra an toàn hồ đập, đê kè trước mùa mưa bão, chuẩn bị đầy đủ vật tư, lương thực dự "
      "phòng."]),
    ("Tin tức - Sự kiện", "Hội nghị xúc tiến đầu tư vào {z}",
     "Hội nghị thu hút gần {n} doanh nghiệp trong và ngoài nước tìm hiểu cơ hội đầu tư vào {z}.",
     ["Tại hội nghị, lãnh đạo Ban Quản lý {z} giới thiệu quy hoạch, hạ tầng kỹ thuật và các chính sách ưu đãi dành cho nhà đầu tư.",
      "Nhiều doanh nghiệp bày tỏ quan tâm đến lĩnh vực chế biến nông sản, năng lượng tái tạo, logistics và du lịch nghỉ dưỡng.",
      "Dịp này, UBND tỉnh trao quyết định chủ trương đầu tư cho {k} dự án với tổng vốn đăng ký hàng nghìn tỷ đồng."]),
    ("Chỉ đạo - Điều hành", "Tăng cường công tác bảo đảm an toàn thực phẩm dịp Tết Nguyên đán",
     "Chủ tịch UBND tỉnh {p} vừa ký văn bản chỉ đạo tăng cường kiểm tra an toàn thực phẩm trong dịp Tết.",
     ["Theo đó, các sở, ngành và UBND các huyện, thị xã, thành phố thành lập đoàn kiểm tra liên ngành, tập trung vào các cơ sở sản "
      "xuất, kinh doanh thực phẩm có nguy cơ cao.",
      "Trong năm qua, các đoàn kiểm tra đã kiểm tra {n} cơ sở, phát hiện và xử lý {k} cơ sở vi phạm, tiêu hủy nhiều sản phẩm không "
      "rõ nguồn gốc.",
      "UBND tỉnh yêu cầu kịp thời thông tin cho người tiêu dùng về các sản phẩm không bảo đảm an toàn."]),
    ("Chỉ đạo - Điều hành", "Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}",
     "UBND tỉnh {p} yêu cầu các chủ đầu tư tập trung đẩy nhanh tiến độ thực hiện và giải ngân vốn đầu tư công.",
     ["Đến hết tháng {m}, tỉnh mới giải ngân được {k}% kế hoạch vốn được giao, thấp hơn bình quân chung của cả nước.",
      "Nguyên nhân chủ yếu là vướng mắc trong công tác bồi thường, giải phóng mặt bằng và nguồn vật liệu san lấp.",
      "Chủ tịch UBND tỉnh {l} giao Sở Tài chính theo dõi, đôn đốc hằng tuần và đề xuất điều chuyển vốn từ các dự án chậm giải ngân."]),
    ("Chỉ đạo - Điều hành", "Tiếp công dân định kỳ tháng {m}/{y}",
     "Lãnh đạo UBND tỉnh {p} đã tiếp công dân định kỳ, lắng nghe và giải quyết kiến nghị của người dân.",
     ["Buổi tiếp công dân có {k} lượt công dân đến trình bày các nội dung liên quan đến đất đai, bồi thường, hỗ trợ tái định cư tại "
      "huyện {d}.",
      "Sau khi nghe ý kiến của các sở, ngành, đồng chí {l} đã trả lời trực tiếp nhiều kiến nghị và giao các cơ quan chuyên môn xem "
      "xét, giải quyết dứt điểm.",
      "Đối với các vụ việc phức tạp, kéo dài, UBND tỉnh yêu cầu tổ chức đối thoại, bảo đảm quyền và lợi ích hợp pháp của người dân."]),
    ("Tin tức - Sự kiện", "Khai giảng lớp bồi dưỡng kiến thức quốc phòng và an ninh",
     "Hội đồng Giáo dục quốc phòng và an ninh tỉnh {p} khai giảng lớp bồi dưỡng cho đối tượng 3 năm {y}.",
     ["Lớp học có {n} học viên là cán bộ chủ chốt của các sở, ngành, đoàn thể và địa phương trong tỉnh.",
      "Trong thời gian học tập, học viên được nghiên cứu các chuyên đề về đường lối quốc phòng, an ninh của Đảng, xây dựng khu vực "
      "phòng thủ và thế trận lòng dân.",
      "Phát biểu khai giảng, đồng chí {l} đề nghị học viên nghiêm túc chấp hành nội quy, vận dụng kiến thức vào thực tiễn công tác "
      "tại cơ quan, đơn vị."]),
    ("Tin tức - Sự kiện", "Tổng kết công tác cải cách hành chính năm {y}",
     "Chỉ số cải cách hành chính của tỉnh {p} tiếp tục cải thiện, xếp thứ {k} cả nước.",
     ["Năm qua, tỉnh đã rà soát, đơn giản hóa {n} thủ tục hành chính; Trung tâm Phục vụ hành chính công tiếp nhận hàng chục nghìn hồ "
      "sơ, tỉ lệ giải quyết đúng hạn đạt trên 98%.",
      "Mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước được nâng lên rõ rệt.",
      "Hội nghị đã khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong công tác cải cách hành chính."]),
    ("Chỉ đạo - Điều hành", "Ban hành kế hoạch thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững",
     "UBND tỉnh {p} ban hành kế hoạch thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 - 2025.",
     ["Mục tiêu đến cuối năm {y} giảm tỉ lệ hộ nghèo theo chuẩn đa chiều xuống còn dưới {k}%, hỗ trợ {n} hộ nghèo, hộ cận nghèo về nhà ở.",
      "Kế hoạch ưu tiên nguồn lực cho các xã đặc biệt khó khăn, vùng đồng bào dân tộc thiểu số và miền núi, trong đó có huyện {d}.",
      "Toàn văn kế hoạch được đăng kèm theo tin này."]),
    ("Tin tức - Sự kiện", "Đoàn công tác của tỉnh thăm và làm việc tại huyện {d}",
     "Đồng chí {l} dẫn đầu đoàn công tác của tỉnh {p} đã thăm và làm việc tại huyện {d}.",
     ["Báo cáo với đoàn, lãnh đạo huyện {d} cho biết tốc độ tăng trưởng giá trị sản xuất năm {y} ước đạt {k}%, thu ngân sách trên "
      "địa bàn đạt {n} tỷ đồng.",
      "Huyện kiến nghị tỉnh quan tâm đầu tư nâng cấp các tuyến đường giao thông kết nối, công trình thủy lợi và hỗ trợ phát triển "
      "sản phẩm OCOP.",
      "Ghi nhận các kiến nghị của địa phương, đồng chí {l} giao các sở, ngành liên quan nghiên cứu, tham mưu UBND tỉnh xem xét giải "
      "quyết."]),
]


# Sentences of the kind every provincial news item carries. Each composed article gets two
# paragraphs drawn from them at random, so no two composed articles share most of their text:
# the sample mirror holds no republications except the ones planted on purpose.
CONTEXT = [
    "Thời gian qua, các sở, ban, ngành và địa phương đã chủ động phối hợp, triển khai nhiều giải pháp đồng bộ.",
    "Công tác thông tin, tuyên truyền được đẩy mạnh bằng nhiều hình thức phù hợp với từng nhóm đối tượng.",
    "Bên cạnh kết quả đạt được, vẫn còn một số khó khăn như nguồn lực hạn chế, thủ tục đầu tư kéo dài.",
    "Nhiều ý kiến đề xuất tăng cường phân cấp, phân quyền gắn với kiểm tra, giám sát việc thực hiện.",
    "Lãnh đạo huyện {d} cho biết địa phương đã thành lập tổ công tác đến từng xã để nắm tình hình.",
    "Đến cuối tháng {m}, đã có {n} hộ dân trên địa bàn được hỗ trợ, vượt kế hoạch đề ra.",
    "Đại diện Sở Kế hoạch và Đầu tư thông tin thêm về danh mục dự án kêu gọi đầu tư giai đoạn tới.",
    "Mặt trận Tổ quốc và các đoàn thể đã vận động được hơn {k} tỷ đồng cho quỹ an sinh xã hội.",
    "Ngành y tế tỉnh {p} bố trí đủ nhân lực, thuốc và trang thiết bị để phục vụ người dân.",
    "Lực lượng công an, quân sự phối hợp giữ vững an ninh chính trị, trật tự an toàn xã hội trên địa bàn.",
    "Các trường học đã hoàn thành việc sửa chữa phòng học, sẵn sàng đón học sinh trong năm học mới.",
    "Sở Tài nguyên và Môi trường được giao rà soát quỹ đất, hoàn thiện hồ sơ giao đất, cho thuê đất.",
    "Theo thống kê, toàn tỉnh hiện có {q} nghìn lao động làm việc trong các khu công nghiệp, cụm công nghiệp.",
    "Nhiều mô hình hay, cách làm sáng tạo ở cơ sở đã được biểu dương, nhân rộng trong thời gian qua.",
    "Người dân huyện {d} phấn khởi khi tuyến đường liên xã được đầu tư nâng cấp, đi lại thuận tiện hơn.",
    "Tỉnh đã ban hành quy chế phối hợp giữa các cơ quan trong giải quyết kiến nghị của doanh nghiệp.",
    "Kết quả kiểm tra cho thấy phần lớn đơn vị thực hiện nghiêm chế độ báo cáo định kỳ.",
    "Tại buổi làm việc, đồng chí {l} lắng nghe ý kiến của cử tri và trả lời trực tiếp nhiều kiến nghị.",
    "Dự kiến trong quý tới, tỉnh sẽ khởi công thêm {k} công trình hạ tầng giao thông, thủy lợi.",
    "Nguồn vốn ngân sách tỉnh năm {y} ưu tiên bố trí cho các dự án chuyển tiếp, sớm hoàn thành đưa vào sử dụng.",
    "Hội Nông dân tỉnh đã hướng dẫn hội viên liên kết sản xuất, tiêu thụ nông sản theo chuỗi giá trị.",
    "Cơ quan chức năng khuyến cáo người dân theo dõi thông tin chính thống, không chia sẻ tin chưa kiểm chứng.",
    "Nhân dịp này, UBND tỉnh tặng bằng khen cho {k} tập thể và cá nhân có thành tích xuất sắc.",
    "Chương trình được thực hiện từ nguồn ngân sách nhà nước kết hợp với nguồn xã hội hóa.",
    "Ngành du lịch tỉnh {p} đón khoảng {n} nghìn lượt khách, doanh thu tăng so với cùng kỳ.",
    "Ban Quản lý {z} đang hoàn thiện hạ tầng kỹ thuật để sẵn sàng tiếp nhận các nhà đầu tư mới.",
    "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận bình quân {n} hồ sơ mỗi tháng, phần lớn trả kết quả đúng hạn.",
    "Ngân hàng chính sách xã hội đã giải ngân cho hộ nghèo, hộ cận nghèo vay vốn phát triển sản xuất.",
    "Các xã vùng cao huyện {d} được hỗ trợ giống cây trồng, vật nuôi phù hợp với điều kiện thổ nhưỡng.",
    "Sở Công Thương phối hợp tổ chức phiên chợ đưa hàng Việt về nông thôn, thu hút đông đảo người dân tham gia.",
    "Công tác phòng cháy, chữa cháy tại các khu dân cư và cơ sở sản xuất được kiểm tra thường xuyên.",
    "Thanh tra tỉnh đã tiến hành {k} cuộc thanh tra hành chính, kiến nghị xử lý sai phạm theo quy định.",
    "Đoàn viên thanh niên ra quân dọn vệ sinh môi trường, trồng cây xanh dọc các tuyến đường.",
    "Bảo hiểm xã hội tỉnh đẩy mạnh vận động người dân tham gia bảo hiểm xã hội tự nguyện.",
    "Dịp này, các đơn vị cũng rà soát, cập nhật kế hoạch ứng phó với các tình huống phát sinh.",
    "Hệ thống chính trị cơ sở được củng cố, vai trò của người đứng đầu ở thôn, khu phố được phát huy.",
]


@dataclass
class Article:
    slug: str
    title: str
    category: str
    published: tuple[int, int, int, int, int]  # year, month, day, hour, minute
    lead: str | None
    paragraphs: list[str]
    author: str | None
    images: list[str] = field(default_factory=list)    # captions, one image each
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (file name, link text)
    source: str | None = None
    is_seed: bool = False


def ascii_slug(text: str) -> str:
    out = []
    for ch in fold(text).lower():
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "-".join(p for p in "".join(out).split("-") if p)


def seed_article() -> Article:
    return Article(
        slug=ascii_slug(SEED_TITLE),
        title=SEED_TITLE,
        category="Tin tức - Sự kiện",
        published=(2024, 1, 19, 10, 22),
        lead=None,
        paragraphs=list(SEED_PARAGRAPHS),
        author=SEED_AUTHOR,
        images=[SEED_TITLE, SEED_TITLE],
        is_seed=True,
    )


def compose(province: str, count: int, *, start: tuple[int, int, int], seed: int) -> list[Article]:
    """`count` articles for `province`, newest first, one or two days apart from `start` backwards."""
    rng = random.Random(seed)
    info = PROVINCES[province]
    day = dt.date(*start)
    articles = []
    used: set[str] = set()
    bodies: set[str] = set()
    for i in range(count):
        category, title_t, lead_t, paras_t = TOPICS[(i * 5 + seed) % len(TOPICS)]
        while True:  # distinct bodies: the sample mirror has no republications unless one is planted
            slots = {
                "p": province, "d": rng.choice(info["districts"]), "l": rng.choice(info["leaders"]), "z": info["zone"],
                "m": day.month, "y": day.year, "n": rng.randint(12, 950), "k": rng.randint(2, 60), "q": rng.randint(38, 75),
            }
            body_key = "".join(p.format(**slots) for p in paras_t)
            if body_key not in bodies:
                bodies.add(body_key)
                break
        context = rng.sample(CONTEXT, 6)
        extra = [" ".join(c.format(**slots) for c in context[:3]), " ".join(c.format(**slots) for c in context[3:])]
        paragraphs = [p.format(**slots) for p in paras_t]
        paragraphs = paragraphs[:1] + extra[:1] + paragraphs[1:-1] + extra[1:] + paragraphs[-1:]
        title = title_t.format(**slots)
        if title in used:
            title = f"{title} (đợt {i})"
        used.add(title)
        hour, minute = rng.randint(7, 17), rng.randint(0, 59)
        images = [f"Quang cảnh {title[0].lower() + title[1:]}"] if i % 3 == 0 else []
        attachments = [(f"ke-hoach-{i:03d}.pdf", "Tải về toàn văn kế hoạch")] if "kế hoạch" in title.lower() else []
        articles.append(Article(
            slug=ascii_slug(title),
            title=title,
            category=category,
            published=(day.year, day.month, day.day, hour, minute),
            lead=lead_t.format(**slots),
            paragraphs=paragraphs,
            author=rng.choice(info["authors"]) if i % 4 != 3 else None,
            images=images,
            attachments=attachments,
            source="Báo " + province if i % 4 == 3 else None,
        ))
        day -= dt.timedelta(days=rng.choice((1, 2, 3)))
    return articles
